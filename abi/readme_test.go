package abi_test

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// TestReadmeDocumentsEveryField fails when a message gains a field that
// abi/README.md does not mention: the README is the contract other hosts are
// written from.
func TestReadmeDocumentsEveryField(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] {
			return
		}
		seen[typ] = true
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("msgpack"), ",")
			if !strings.Contains(text, "`"+name+"`") {
				t.Errorf("%s.%s (`%s`) is not documented in abi/README.md", typ.Name(), f.Name, name)
			}
			walk(f.Type)
		}
	}
	for _, v := range []any{abi.Event{}, abi.Effects{}, abi.RouteRequest{}, abi.Decision{}, abi.Snapshot{}, abi.VersionInfo{}} {
		walk(reflect.TypeOf(v))
	}
	// Every enum value is listed with its number: "7 `no_eligible_keys`".
	enum := func(kind string, n int, name func(int) string) {
		for i := range n {
			if want := fmt.Sprintf("%d `%s`", i, name(i)); !strings.Contains(strings.Join(strings.Fields(text), " "), want) {
				t.Errorf("%s %q is not documented as %q", kind, name(i), want)
			}
		}
	}
	enum("code", int(abi.ContextExceeded)+1, func(i int) string { return abi.Code(i).String() })
	enum("goal", int(abi.GoalQuota)+1, func(i int) string { return abi.Goal(i).String() })
	enum("state", int(abi.Revoked)+1, func(i int) string { return abi.State(i).String() })
	enum("trigger", int(abi.TriggerRotate)+1, func(i int) string { return abi.Trigger(i).String() })
	enum("reason", int(abi.ReasonTier)+1, func(i int) string { return abi.Reason(i).String() })
	enum("capacity", int(abi.Depleted)+1, func(i int) string { return abi.Capacity(i).String() })
	enum("result", int(abi.Cancelled)+1, func(i int) string { return abi.Result(i).String() })
	enum("scope", int(abi.ScopeClient)+1, func(i int) string { return abi.Scope(i).String() })
	enum("period", int(abi.Rolling)+1, func(i int) string { return abi.Period(i).String() })
	enum("enforcement", int(abi.Soft)+1, func(i int) string { return abi.Enforcement(i).String() })
	enum("op", int(abi.OpRemoveClient)+1, func(i int) string { return abi.Op(i).String() })
}
