package abi

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

// Method-less copies of the hot types: msgpack encodes them by reflection,
// from the same field tags.
type (
	plainRouteRequest RouteRequest
	plainWeight       Weight
	plainDecision     Decision
	plainCandidate    Candidate
	plainExclusion    Exclusion
	plainEvent        Event
	plainOutcome      Outcome
	plainUsage        Usage
	plainRateLimit    RateLimit
	plainEffects      Effects
	plainTransition   Transition
	plainSnapshot     Snapshot
)

// plainObjective differs on purpose: reflection would write []Goal, a slice
// of a byte-sized type, as a MessagePack bin; the ABI writes an array.
type plainObjective struct {
	Primary   Goal     `msgpack:"primary,omitempty"`
	Secondary []uint64 `msgpack:"secondary,omitempty"`
	Weights   []Weight `msgpack:"weights,omitempty"`
}

func reflectEncode(t *testing.T, v any) []byte {
	var buf bytes.Buffer
	enc := msgpack.NewEncoder(&buf)
	enc.UseCompactInts(true)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestHotCodecsMatchReflection checks, on random values, that each
// hand-written encoder writes the bytes reflection writes, and that each
// decoder reads them back to a value that encodes the same again.
func TestHotCodecsMatchReflection(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	check := func(name string, v, plain any, decoded any) {
		t.Helper()
		got, err := Encode(v)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := reflectEncode(t, plain); !bytes.Equal(got, want) {
			t.Fatalf("%s encodes\n %x\nreflection\n %x\nvalue %+v", name, got, want, v)
		}
		if err := msgpack.Unmarshal(got, decoded); err != nil {
			t.Fatalf("%s decode: %v", name, err)
		}
		again, _ := Encode(reflect.ValueOf(decoded).Elem().Interface())
		if !bytes.Equal(got, again) {
			t.Fatalf("%s does not round-trip", name)
		}
	}
	for range 2000 {
		var rr RouteRequest
		fill(rng, &rr)
		check("RouteRequest", rr, plainRouteRequest(rr), new(RouteRequest))
		var o Objective
		fill(rng, &o)
		po := plainObjective{Primary: o.Primary, Weights: o.Weights}
		for _, g := range o.Secondary {
			po.Secondary = append(po.Secondary, uint64(g))
		}
		check("Objective", o, po, new(Objective))
		var d Decision
		fill(rng, &d)
		check("Decision", d, plainDecision(d), new(Decision))
		var c Candidate
		fill(rng, &c)
		check("Candidate", c, plainCandidate(c), new(Candidate))
		var e Exclusion
		fill(rng, &e)
		check("Exclusion", e, plainExclusion(e), new(Exclusion))
		var w Weight
		fill(rng, &w)
		check("Weight", w, plainWeight(w), new(Weight))
		var ev Event
		fill(rng, &ev)
		pev := plainEvent(ev)
		if ev.Outcome != nil { // the nested hot message, by reflection too
			check("Outcome", ev.Outcome, (*plainOutcome)(ev.Outcome), new(Outcome))
		}
		if pev.Config != nil {
			pev.Config.Objective = Objective{} // its []Goal is the deliberate difference
			ev.Config.Objective = Objective{}
		}
		check("Event", ev, plainEventOf(ev), new(Event))
		var u Usage
		fill(rng, &u)
		check("Usage", u, plainUsage(u), new(Usage))
		var l RateLimit
		fill(rng, &l)
		check("RateLimit", &l, (*plainRateLimit)(&l), new(RateLimit))
		var f Effects
		fill(rng, &f)
		check("Effects", f, plainEffects(f), new(Effects))
		var tr Transition
		fill(rng, &tr)
		check("Transition", tr, plainTransition(tr), new(Transition))
		var sn Snapshot
		fill(rng, &sn)
		check("Snapshot", &sn, (*plainSnapshot)(&sn), new(Snapshot))
	}
}

// fill sets a random subset of v's fields to random values.
func fill(rng *rand.Rand, v any) {
	fillValue(rng, reflect.ValueOf(v).Elem(), 0)
}

func fillValue(rng *rand.Rand, v reflect.Value, depth int) {
	if rng.IntN(3) == 0 && depth > 0 {
		return // leave it zero
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if rng.IntN(2) == 0 {
				fillValue(rng, v.Field(i), depth+1)
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 && v.Type().Name() == "Text" {
			v.SetBytes([]byte(randString(rng)))
			return
		}
		n := rng.IntN(4)
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			fillValue(rng, s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Pointer:
		if depth < 3 {
			p := reflect.New(v.Type().Elem())
			fillValue(rng, p.Elem(), depth+1)
			v.Set(p)
		}
	case reflect.String:
		v.SetString(randString(rng))
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	case reflect.Uint8:
		v.SetUint(uint64(rng.IntN(12)))
	case reflect.Uint64:
		v.SetUint(rng.Uint64() >> rng.IntN(64))
	case reflect.Int64:
		x := int64(rng.Uint64() >> rng.IntN(64))
		if rng.IntN(4) == 0 {
			x = -x
		}
		v.SetInt(x)
	}
}

func randString(rng *rand.Rand) string {
	const letters = "abcdefghijklmnopqrstuvwxyz-_/:0123456789"
	n := rng.IntN(40)
	if rng.IntN(10) == 0 {
		n = 200 + rng.IntN(300)
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[rng.IntN(len(letters))]
	}
	return string(b)
}

// plainEventOf is an Event encoded by reflection all the way down, its
// Outcome included.
func plainEventOf(e Event) any {
	type event struct {
		V        uint8         `msgpack:"v"`
		Now      UnixNano      `msgpack:"now"`
		Config   *Config       `msgpack:"config,omitempty"`
		Provider *Provider     `msgpack:"provider,omitempty"`
		Model    *Model        `msgpack:"model,omitempty"`
		Key      *Key          `msgpack:"key,omitempty"`
		Budget   *Budget       `msgpack:"budget,omitempty"`
		Client   *Client       `msgpack:"client,omitempty"`
		Command  *Command      `msgpack:"command,omitempty"`
		Outcome  *plainOutcome `msgpack:"outcome,omitempty"`
	}
	return event{e.V, e.Now, e.Config, e.Provider, e.Model, e.Key, e.Budget, e.Client, e.Command, (*plainOutcome)(e.Outcome)}
}

// TestFieldNamesAreFixstrs: the hand-written encoders write field names
// as fixstrs (appendKey), which hold fewer than 32 bytes.
func TestFieldNamesAreFixstrs(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Array || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] {
			return
		}
		seen[typ] = true
		for f := range typ.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("msgpack"), ",")
			if len(name) >= 32 {
				t.Errorf("%s.%s: field name %q is %d bytes, too long for appendKey", typ.Name(), f.Name, name, len(name))
			}
			walk(f.Type)
		}
	}
	for _, m := range []any{Snapshot{}, Event{}, Effects{}, RouteRequest{}, Decision{}} {
		walk(reflect.TypeOf(m))
	}
	if len(seen) < 20 {
		t.Fatalf("walked %d struct types; the messages have more", len(seen))
	}
}
