package freebsd

// libxo's JSON (usr.bin/sockstat/main.c, usr.sbin/jls/jls.c) is read here
// as a token stream: one socket or jail at a time, never the whole
// document as values. The results are those json.Unmarshal gave into the
// documents' structs: member names of the wrapping objects match without
// regard to case, null leaves a level empty, and any other type there,
// bad syntax or anything after the document is an error.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// errXOType is the error for a value of the wrong JSON type.
var errXOType = errors.New("unexpected JSON type")

// xoObject reads the object at the decoder, or a null, calling fn with
// each member's name and the decoder at its value, which fn must read.
func xoObject(dec *json.Decoder, fn func(name string) error) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if t == nil {
		return nil
	}
	if t != json.Delim('{') {
		return fmt.Errorf("%w: %v where an object belongs", errXOType, t)
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		if err := fn(t.(string)); err != nil {
			return err
		}
	}
	_, err = dec.Token() // the closing brace
	return err
}

// xoArray reads the array at the decoder, or a null, calling each with
// the decoder at each element, which it must read; reset is called when
// the array starts (a member given twice keeps only its last value).
func xoArray(dec *json.Decoder, reset func(), each func() error) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	reset()
	if t == nil {
		return nil
	}
	if t != json.Delim('[') {
		return fmt.Errorf("%w: %v where an array belongs", errXOType, t)
	}
	for dec.More() {
		if err := each(); err != nil {
			return err
		}
	}
	_, err = dec.Token()
	return err
}

// xoSkip reads and drops one value.
func xoSkip(dec *json.Decoder) error {
	var v json.RawMessage
	return dec.Decode(&v)
}

// xoList reads {outer: {inner: [ELEMENT, ...]}} from r, giving each
// element to each with the decoder at it; reset is called when the list
// starts. Other members are skipped.
func xoList(r io.Reader, outer, inner string, reset func(), each func(dec *json.Decoder) error) error {
	dec := json.NewDecoder(r)
	err := xoObject(dec, func(name string) error {
		if !strings.EqualFold(name, outer) {
			return xoSkip(dec)
		}
		return xoObject(dec, func(name string) error {
			if !strings.EqualFold(name, inner) {
				return xoSkip(dec)
			}
			return xoArray(dec, reset, func() error { return each(dec) })
		})
	})
	if err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("data after the JSON document")
		}
		return err
	}
	return nil
}

// ReadSockstatJSON reads `sockstat --libxo json` output from r one socket
// at a time; see ParseSockstatJSON.
func ReadSockstatJSON(r io.Reader) ([]Socket, error) {
	var out []Socket
	err := xoList(r, "sockstat", "socket", func() { out = out[:0] }, func(dec *json.Decoder) error {
		var x xoSocket
		if err := dec.Decode(&x); err != nil {
			return err
		}
		if s, ok := x.socket(); ok {
			out = append(out, s)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sockstat json: %w", err)
	}
	if out == nil {
		out = []Socket{}
	}
	return out, nil
}

// ReadJlsJSON reads `jls --libxo json -n` output from r one jail at a time;
// see ParseJlsJSON.
func ReadJlsJSON(r io.Reader) ([]Jail, error) {
	var out []Jail
	err := xoList(r, "jail-information", "jail", func() { out = out[:0] }, func(dec *json.Decoder) error {
		var m map[string]json.RawMessage
		if err := dec.Decode(&m); err != nil {
			return err
		}
		j := Jail{Params: make(map[string]string, len(m)), Source: "jls"}
		for k, v := range m {
			j.Params[k] = jsonText(v)
		}
		fillJail(&j)
		out = append(out, j)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("jls json: %w", err)
	}
	if out == nil {
		out = []Jail{}
	}
	return out, nil
}
