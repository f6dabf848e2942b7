package wasmcore

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
	"unsafe"
)

// TestGuestMemoryAsksForHugePages: the guest's mapping carries the
// kernel's "hg" flag (MADV_HUGEPAGE), whatever the system's THP setting,
// on a kernel that has them.
func TestGuestMemoryAsksForHugePages(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage"); err != nil {
		t.Skip("this kernel has no transparent huge pages")
	}
	c := testCore(t, Config{})
	m, ok := c.inst.linear.(*mappedMemory)
	if !ok {
		t.Fatalf("the guest's memory is a %T", c.inst.linear)
	}
	flags, err := smapsField(uintptr(unsafe.Pointer(unsafe.SliceData(m.mem))), "VmFlags:")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(" "+flags+" ", " hg ") {
		t.Fatalf("the guest's mapping has VmFlags %q, without hg", flags)
	}
}

// smapsField returns a field (such as "VmFlags:") of the mapping that
// holds addr, in /proc/self/smaps.
func smapsField(addr uintptr, field string) (string, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return "", err
	}
	defer f.Close()
	in := false
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		var lo, hi uintptr
		if n, _ := fmt.Sscanf(line, "%x-%x ", &lo, &hi); n == 2 {
			in = lo <= addr && addr < hi
			continue
		}
		if rest, ok := strings.CutPrefix(line, field); ok && in {
			return strings.TrimSpace(rest), nil
		}
	}
	if err := s.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("no mapping holds %#x", addr)
}

// TestCompiledCodeInHugePages: once a core is up, the module's machine
// code (the process's largest anonymous executable mapping) is backed by
// 2 MiB pages, on a kernel that can collapse it.
func TestCompiledCodeInHugePages(t *testing.T) {
	testCore(t, Config{})
	spans, err := anonymousCode()
	if err != nil {
		t.Fatal(err)
	}
	var code span
	for _, s := range spans {
		if s.hi-s.lo > code.hi-code.lo {
			code = s
		}
	}
	if code.hi-code.lo < 4<<20 {
		t.Fatalf("no mapping large enough to be the module's code: %v", spans)
	}
	huge, err := smapsField(code.lo, "AnonHugePages:")
	if err != nil {
		t.Fatal(err)
	}
	if huge != "0 kB" {
		return
	}
	if err := collapseCode(); err != nil {
		t.Skipf("this kernel cannot collapse code into huge pages: %v", err)
	}
	t.Fatalf("the module's code (%#x-%#x) has no huge page, and the kernel can collapse it", code.lo, code.hi)
}
