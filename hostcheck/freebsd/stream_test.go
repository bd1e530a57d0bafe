package freebsd

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"testing/iotest"
)

// The streaming readers must give what the whole-buffer parsers they
// replaced gave. Those parsers are kept here, as they were, to compare
// (the values of jls through decodedJSONText, which is what jsonText was
// before it learnt to read plain values itself).

func wholeParseSockstat(data []byte) (socks []Socket, skipped int) {
	socks = make([]Socket, 0, bytes.Count(data, []byte{'\n'})+1)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if fields[0] == "USER" && len(fields) > 1 && fields[1] == "COMMAND" {
			continue
		}
		s, ok := parseSockstatLine(fields, ParseEndpoint)
		if !ok {
			if line[0] == ' ' || line[0] == '\t' || isUnknown(fields[0]) {
				continue
			}
			skipped++
			continue
		}
		socks = append(socks, s)
	}
	if sc.Err() != nil {
		skipped++
	}
	return socks, skipped
}

func wholeParseSockstatJSON(data []byte) ([]Socket, error) {
	var doc struct {
		Sockstat struct {
			Socket []xoSocket `json:"socket"`
		} `json:"sockstat"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	out := make([]Socket, 0, len(doc.Sockstat.Socket))
	for _, r := range doc.Sockstat.Socket {
		if s, ok := r.socket(); ok {
			out = append(out, s)
		}
	}
	return out, nil
}

func wholeParseJlsJSON(data []byte) ([]Jail, error) {
	var doc struct {
		Info struct {
			Jail []map[string]json.RawMessage `json:"jail"`
		} `json:"jail-information"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	out := make([]Jail, 0, len(doc.Info.Jail))
	for _, m := range doc.Info.Jail {
		j := Jail{Params: make(map[string]string, len(m)), Source: "jls"}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			j.Params[k] = decodedJSONText(m[k])
		}
		fillJail(&j)
		out = append(out, j)
	}
	return out, nil
}

// bigSockstat is sockstat text with every kind of line, repeated so the
// scanner's buffer is reused and moved many times over.
func bigSockstat(n int) []byte {
	var b bytes.Buffer
	b.WriteString("USER     COMMAND    PID   FD  PROTO  LOCAL ADDRESS         FOREIGN ADDRESS\n")
	for i := 0; i < n; i++ {
		switch i % 7 {
		case 0:
			fmt.Fprintf(&b, "www      httpd      %5d %-3d tcp4   10.0.%d.%d:%d          *:*\n", i, i%200, i%7, i%250, 80+i%9)
		case 1:
			fmt.Fprintf(&b, "ntpd     ntpd       %5d %-3d udp6   fe80::%x%%lo%d:123     *:*\n", i, i%90, i%16, i%3)
		case 2:
			fmt.Fprintf(&b, "root     syslogd    %5d %-3d dgram  /var/run/log %d\n", i, i%50, i)
		case 3:
			fmt.Fprintf(&b, "longusername%d my app %d %d%dtcp46 *:%d *:* LISTEN\n", i%5, i, 1000+i%9000, i%3, 2000+i%70)
		case 4:
			fmt.Fprintf(&b, "?        ?          ?     ?  sctp4  192.0.2.%d:99 *:*\n                                  192.0.2.%d:99\n", i%200, i%100)
		case 5:
			fmt.Fprintf(&b, "garbage line %d\n\t\n", i)
		case 6:
			fmt.Fprintf(&b, "bind\tnamed\t%d\t%d\tudp4\t[::ffff:192.0.2.%d]:53\t*:*\r\n", i, i%40, i%250)
		}
	}
	return b.Bytes()
}

// TestReadSockstatMatchesWhole: the streaming reader, fed whole, a byte
// at a time or in halves, gives what the whole-buffer parser gave.
func TestReadSockstatMatchesWhole(t *testing.T) {
	inputs := map[string][]byte{"big": bigSockstat(8000)}
	for _, name := range []string{"sockstat-13.txt", "sockstat-14.txt", "sockstat-14-s.txt"} {
		data, err := os.ReadFile(testdataPath(name))
		if err != nil {
			t.Fatal(err)
		}
		inputs[name] = data
	}
	inputs["long line"] = append(bytes.Repeat([]byte("x"), 2<<20), "\nroot a 1 2 tcp4 *:1 *:*\n"...)
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			want, wantSkip := wholeParseSockstat(data)
			check := func(how string, got []Socket, skip int) {
				t.Helper()
				if !reflect.DeepEqual(got, want) || skip != wantSkip {
					t.Errorf("%s: %d sockets, %d skipped; want %d, %d", how, len(got), skip, len(want), wantSkip)
				}
			}
			got, skip := ParseSockstat(data)
			check("ParseSockstat", got, skip)
			got, skip = ReadSockstat(bytes.NewReader(data))
			check("ReadSockstat", got, skip)
			if len(data) < 1<<20 {
				// A byte at a time makes the scanner look at a long line
				// again after each byte: only for the shorter inputs.
				got, skip = ReadSockstat(iotest.OneByteReader(bytes.NewReader(data)))
				check("one byte at a time", got, skip)
			}
			got, skip = ReadSockstat(iotest.HalfReader(bytes.NewReader(data)))
			check("in halves", got, skip)
		})
	}
}

// TestReadSockstatOwnsItsStrings: nothing a socket holds is a slice of the
// reader's buffer; changing the input afterwards changes no socket.
func TestReadSockstatOwnsItsStrings(t *testing.T) {
	data := bigSockstat(3000)
	want, _ := wholeParseSockstat(data)
	got, _ := ParseSockstat(data)
	for i := range data {
		data[i] = 'Z'
	}
	if !reflect.DeepEqual(got, want) {
		t.Error("sockets changed with the input")
	}
}

var jsonSamples = []string{
	`{"sockstat": {"socket": [{"user": "root", "command": "sshd", "pid": 1, "fd": 4, "proto": "tcp4", "local": {"address": "*", "port": 22}, "foreign": {"address": "*", "port": 0}}]}}`,
	`{"SockStat": {"Socket": [{"user": 0, "pid": "x", "proto": "dgram", "local": {"path": "/var/run/log"}}], "other": [1, {"a": null}]}, "__version": "1"}`,
	`{"sockstat": {"socket": [{"proto": 5, "local": {"address": ["a"], "port": 1e99}}, null, {"proto": "udp4"}]}}`,
	`{"sockstat": null}`, `null`, `{}`, `[]`, `{"sockstat": []}`, `{"sockstat": {"socket": {}}}`,
	`{"sockstat": {"socket": [{"proto": "tcp4"}]}, "sockstat": {"socket": null}}`,
	`{"sockstat": {"socket": [{"proto": "tcp4"}]}, "sockstat": {}}`,
	`{"sockstat": {"socket": [{"local": 5, "proto": "tcp4"}]}}`,
	`{"sockstat": {"socket": []}} x`, `{"sockstat": {"socket": []}} {}`, `{"sockstat": `, ``, ` `,
	`{"jail-information": {"jail": [{"jid": 1, "ip4.addr": [[1], {"a": 2}, null], "vnet": true}]}}`,
	`{"__version": "2", "Jail-Information": {"JAIL": [{"jid": 3, "name": "x", "ip4.addr": ["192.0.2.1", "192.0.2.2"], "ip6.addr": [], "n": 1e3, "big": 1e999, "list": [1, 1e999], "o": {"b": 1e21, "a": "\u00e9\ud800"}}, null]}}`,
	`{"jail-information": {"jail": [5]}}`, `{"jail-information": {"jail": [{"jid": 1}]}, "jail-information": {}}`,
	`{"jail-information": {"jail": [{"jid": 1, "jid": 2}]}}`, `{"jail-information": 7}`,
	`{"jail-information": {"jail": [{"a": [ "x" , "y" ], "b": [ ], "c": ["\u0041"], "d": -0, "e": 1234567890123456, "f": 0.5, "g": 1e2, "h": ["a", 1], "i": " q ", "j": [null]}]}}`,
}

// TestReadJSONMatchesWhole: the token-stream readers give what
// json.Unmarshal of the whole document gave, error or not.
func TestReadJSONMatchesWhole(t *testing.T) {
	for _, name := range []string{"jls.json"} {
		data, err := os.ReadFile(testdataPath(name))
		if err != nil {
			t.Fatal(err)
		}
		jsonSamples = append(jsonSamples, string(data))
	}
	for _, s := range jsonSamples {
		compareJSON(t, []byte(s))
	}
}

func compareJSON(t *testing.T, data []byte) {
	t.Helper()
	ws, werr := wholeParseSockstatJSON(data)
	gs, gerr := ParseSockstatJSON(data)
	if (werr == nil) != (gerr == nil) || werr == nil && !reflect.DeepEqual(ws, gs) {
		t.Errorf("sockstat %q:\nwhole %v %+v\nstream %v %+v", data, werr, ws, gerr, gs)
	}
	wj, werr := wholeParseJlsJSON(data)
	gj, gerr := ParseJlsJSON(data)
	if (werr == nil) != (gerr == nil) || werr == nil && !reflect.DeepEqual(wj, gj) {
		t.Errorf("jls %q:\nwhole %v %+v\nstream %v %+v", data, werr, wj, gerr, gj)
	}
}

func FuzzStreamSockstat(f *testing.F) {
	seed(f, []string{"sockstat-13.txt", "sockstat-14.txt", "sockstat-14-s.txt"},
		"root nginx 12345 1024tcp4 *:80 *:*\n", "a\u00a0b c 1 2 tcp4 *:1 *:*\n", "x\r\n\r\n  \v\f tcp4\n")
	f.Fuzz(func(t *testing.T, data []byte) {
		want, wantSkip := wholeParseSockstat(data)
		got, skip := ReadSockstat(iotest.OneByteReader(bytes.NewReader(data)))
		if !reflect.DeepEqual(got, want) || skip != wantSkip {
			t.Fatalf("%d sockets, %d skipped; want %d, %d", len(got), skip, len(want), wantSkip)
		}
	})
}

func FuzzStreamJSON(f *testing.F) {
	seed(f, []string{"jls.json"}, jsonSamples...)
	f.Fuzz(func(t *testing.T, data []byte) { compareJSON(t, data) })
}

// FuzzPlainJSONText: whenever jsonText reads a value itself, it reads what
// json.Unmarshal would.
func FuzzPlainJSONText(f *testing.F) {
	for _, s := range []string{`true`, `null`, `-0`, `123456789012345`, `1234567890123456`, `"a b"`, `"a\"b"`, `" é"`,
		`[]`, `[ "a" , "b" ]`, `["a",]`, `["a" "b"]`, `[1]`, `[[]]`, ` "x" `, `0.1`, `1e400`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !json.Valid(raw) {
			return
		}
		if got, ok := plainJSONText(raw); ok && got != decodedJSONText(raw) {
			t.Fatalf("%q: %q, json.Unmarshal gives %q", raw, got, decodedJSONText(raw))
		}
	})
}
