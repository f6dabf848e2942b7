package main

import (
	"fmt"
	"strings"
	"testing"
)

func TestStderrTail(t *testing.T) {
	var tail stderrTail
	tail.Write([]byte("old line\n"))
	tail.reset()
	tail.Write([]byte("cannot start: "))
	tail.Write([]byte("no config\n"))
	if got := tail.String(); got != "cannot start: no config" {
		t.Errorf("tail %q", got)
	}
	for i := range 1000 {
		fmt.Fprintf(&tail, "line %04d of the plugin's log\n", i)
	}
	got := tail.String()
	if len(got) > stderrTailBytes || !strings.HasPrefix(got, "line ") || !strings.HasSuffix(got, "line 0999 of the plugin's log") {
		t.Errorf("tail of %d bytes: %.40q … %q", len(got), got, got[max(0, len(got)-40):])
	}
}
