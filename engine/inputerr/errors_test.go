package inputerr

import (
	"errors"
	"fmt"
	"testing"
)

func TestInputErrors(t *testing.T) {
	field := &FieldError{Field: "--ip", Problem: `"x" is not an address`, Hint: "give one"}
	pos := &PosError{File: "lab.yaml", Line: 7, Msg: "jail ns: bad"}
	noLine := &PosError{File: "lab.yaml", Msg: "empty"}
	list := ErrorList{field, pos}
	tests := []struct {
		name string
		err  error
		text string
		line int
	}{
		{"field", field, `--ip: "x" is not an address`, 0},
		{"position", pos, "lab.yaml:7: jail ns: bad", 7},
		{"no line", noLine, "lab.yaml: empty", 0},
		{"wrapped position", fmt.Errorf("plan: %w", pos), "plan: lab.yaml:7: jail ns: bad", 7},
		{"list", list, "--ip: \"x\" is not an address\nlab.yaml:7: jail ns: bad", 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !errors.Is(tt.err, ErrInput) {
				t.Errorf("%v is not an input error", tt.err)
			}
			if tt.err.Error() != tt.text {
				t.Errorf("Error() = %q, want %q", tt.err.Error(), tt.text)
			}
			if got := Line(tt.err); got != tt.line {
				t.Errorf("Line() = %d, want %d", got, tt.line)
			}
		})
	}
	var empty ErrorList
	if err := empty.Err(); err != nil {
		t.Errorf("an empty list gives %#v, want a nil error", err)
	}
	if errors.Is(errors.New("disk full"), ErrInput) {
		t.Error("a host error counts as bad input")
	}
}
