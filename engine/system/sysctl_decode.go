package system

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// The sysctl value kinds jailkit decodes, from the CTLTYPE_* list of
// sys/sys/sysctl.h; the kernel reports an OID's kind through the
// CTL_SYSCTL_OIDFMT query (0.4), as sbin/sysctl/sysctl.c's oidfmt does.
const (
	CtlTypeNode   = 1
	CtlTypeInt    = 2
	CtlTypeString = 3
	CtlTypeS64    = 4
	CtlTypeOpaque = 5
	CtlTypeUint   = 6
	CtlTypeLong   = 7
	CtlTypeUlong  = 8
	CtlTypeU64    = 9
	CtlTypeU8     = 0xa
	CtlTypeU16    = 0xb
	CtlTypeS8     = 0xc
	CtlTypeS16    = 0xd
	CtlTypeS32    = 0xe
	CtlTypeU32    = 0xf

	ctlTypeMask = 0xf
)

// SysctlText turns the raw bytes of a sysctl value into the text
// sysctl -n prints: a string without its NUL, or the numbers of an
// integer OID (several, space separated, for an array). kind is the OID's
// kind word (only its CTLTYPE bits count) and longSize the size of a C
// long on the host (8 on amd64 and arm64, 4 on i386 and armv7).
//
// golang.org/x/sys/unix's Sysctl returns an integer OID's bytes as a
// string, so 1 arrives as "\x01\x00\x00": comparing that with "1" is
// always false (the bug behind every VNET install refused on 15).
func SysctlText(kind uint32, raw []byte, longSize int) (string, error) {
	size, signed := 0, false
	switch kind & ctlTypeMask {
	case CtlTypeString:
		return strings.TrimRight(string(raw), "\x00"), nil
	case CtlTypeInt, CtlTypeS32:
		size, signed = 4, true
	case CtlTypeUint, CtlTypeU32:
		size = 4
	case CtlTypeLong:
		size, signed = longSize, true
	case CtlTypeUlong:
		size = longSize
	case CtlTypeS64:
		size, signed = 8, true
	case CtlTypeU64:
		size = 8
	case CtlTypeU8:
		size = 1
	case CtlTypeS8:
		size, signed = 1, true
	case CtlTypeU16:
		size = 2
	case CtlTypeS16:
		size, signed = 2, true
	default:
		return "", fmt.Errorf("sysctl value of kind %#x is not text or a number", kind&ctlTypeMask)
	}
	if size == 0 || len(raw) == 0 || len(raw)%size != 0 {
		return "", fmt.Errorf("sysctl value of %d bytes is not a whole number of %d-byte integers", len(raw), size)
	}
	nums := make([]string, 0, len(raw)/size)
	for off := 0; off < len(raw); off += size {
		nums = append(nums, intText(raw[off:off+size], signed))
	}
	return strings.Join(nums, " "), nil
}

// intText reads one little-endian integer (every FreeBSD platform jailkit
// builds for is little-endian).
func intText(b []byte, signed bool) string {
	var u uint64
	switch len(b) {
	case 1:
		u = uint64(b[0])
		if signed {
			return strconv.FormatInt(int64(int8(b[0])), 10)
		}
	case 2:
		u = uint64(binary.LittleEndian.Uint16(b))
		if signed {
			return strconv.FormatInt(int64(int16(u)), 10)
		}
	case 4:
		u = uint64(binary.LittleEndian.Uint32(b))
		if signed {
			return strconv.FormatInt(int64(int32(u)), 10)
		}
	default:
		u = binary.LittleEndian.Uint64(b)
		if signed {
			return strconv.FormatInt(int64(u), 10)
		}
	}
	return strconv.FormatUint(u, 10)
}
