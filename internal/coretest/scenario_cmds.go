package coretest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// scenario is the state of one scenario run.
type scenario struct {
	core        Core
	now         abi.UnixNano
	lastAttempt uint64
}

// args are a command's key=value arguments; bare words map to "".
type args map[string]string

func parseArgs(list []string) args {
	a := args{}
	for _, s := range list {
		k, v, _ := strings.Cut(s, "=")
		a[k] = v
	}
	return a
}

func (a args) has(k string) bool { _, ok := a[k]; return ok }

func (a args) int(k string) (int64, error) {
	v, ok := a[k]
	if !ok {
		return 0, nil
	}
	return strconv.ParseInt(v, 10, 64)
}

func (a args) dur(k string) (abi.Duration, error) {
	v, ok := a[k]
	if !ok {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	return abi.Duration(d), err
}

// usd parses "$1.50" or a plain nano-USD integer.
func (a args) usd(k string) (abi.NanoUSD, error) {
	v, ok := a[k]
	if !ok {
		return 0, nil
	}
	if s, ok := strings.CutPrefix(v, "$"); ok {
		whole, frac, _ := strings.Cut(s, ".")
		frac = (frac + "000000000")[:9]
		w, err := strconv.ParseInt(whole, 10, 64)
		if err != nil {
			return 0, err
		}
		f, err := strconv.ParseInt(frac, 10, 64)
		return abi.NanoUSD(w)*abi.Dollars + abi.NanoUSD(f), err
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return abi.NanoUSD(n), err
}

func (a args) list(k string) []string {
	v, ok := a[k]
	if !ok || v == "" {
		return nil
	}
	return strings.Split(v, ",")
}

// ints parses several integer arguments at once.
func (a args) ints(dst map[string]*int64) error {
	for k, p := range dst {
		v, err := a.int(k)
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		*p = v
	}
	return nil
}

func (s *scenario) run(b *block) (string, error) {
	a := parseArgs(b.args)
	switch b.cmd {
	case "tick":
		if len(b.args) != 1 {
			return "", fmt.Errorf("tick takes one duration")
		}
		d, err := time.ParseDuration(b.args[0])
		if err != nil {
			return "", err
		}
		s.now += abi.UnixNano(d)
		if out, err := s.apply(abi.Event{}); err != nil || out != "ok\n" {
			return out, err
		}
		return clock(s.now) + "\n", nil
	case "provider", "model", "key", "budget", "client", "config":
		return s.register(b.cmd, a)
	case "disable", "enable", "revoke", "rotate", "remove-key", "remove-budget", "remove-client", "remove-provider",
		"remove-model":
		return s.command(b.cmd, a)
	case "route":
		return s.route(a)
	case "repeat":
		return s.repeat(b.args)
	case "outcome":
		return s.outcome(a)
	case "state":
		return s.state(a)
	case "budgets":
		return s.budgets()
	}
	return "", fmt.Errorf("unknown command %q", b.cmd)
}

// call encodes msg, calls op and decodes the output into out.
func (s *scenario) call(op string, msg, out any) error {
	var in []byte
	if msg != nil {
		var err error
		if in, err = abi.Encode(msg); err != nil {
			return err
		}
	}
	b, err := s.core.Call(op, in)
	if err != nil {
		return err
	}
	switch o := out.(type) {
	case *abi.Effects:
		return abi.Decode(b, o)
	case *abi.Decision:
		return abi.Decode(b, o)
	case *abi.Snapshot:
		return abi.Decode(b, o)
	}
	return nil
}

func (s *scenario) apply(ev abi.Event) (string, error) {
	ev.V, ev.Now = abi.Version, s.now
	var fx abi.Effects
	if err := s.call(OpApply, &ev, &fx); err != nil {
		return "", err
	}
	return effects(&fx), nil
}

func effects(fx *abi.Effects) string {
	var b strings.Builder
	if fx.Code != abi.OK {
		fmt.Fprintf(&b, "error %s: %s\n", fx.Code, fx.Message)
	}
	if fx.Cost != 0 {
		fmt.Fprintf(&b, "cost %s\n", usd(fx.Cost))
	}
	if fx.RetrySameKeyAt != 0 {
		fmt.Fprintf(&b, "retry same key at %s\n", clock(fx.RetrySameKeyAt))
	}
	for _, t := range fx.Transitions {
		who := string(t.Key)
		if t.Pool != "" {
			who += "/" + t.Pool
		}
		fmt.Fprintf(&b, "%s: %s -> %s (%s)", who, t.From, t.To, t.Trigger)
		if t.Until != 0 {
			fmt.Fprintf(&b, " until %s", clock(t.Until))
		}
		b.WriteByte('\n')
	}
	if b.Len() == 0 {
		return "ok\n"
	}
	return b.String()
}

func (s *scenario) register(cmd string, a args) (string, error) {
	var ev abi.Event
	switch cmd {
	case "provider":
		ev.Provider = &abi.Provider{ID: abi.ProviderID(a["id"])}
	case "model":
		m := &abi.Model{Provider: abi.ProviderID(a["provider"]), Name: a["name"], QuotaGroup: a["group"]}
		var in, out, cached, ctx, maxOut int64
		if err := a.ints(map[string]*int64{"in": &in, "out": &out, "cached": &cached, "ctx": &ctx, "maxout": &maxOut,
			"rpm": &m.Limits.RPM, "tpm": &m.Limits.TPM, "rpd": &m.Limits.RPD, "conc": &m.Limits.Concurrency}); err != nil {
			return "", err
		}
		m.Price = abi.Price{Input: abi.MicroUSDPerMTok(in), Output: abi.MicroUSDPerMTok(out), CachedInput: abi.MicroUSDPerMTok(cached)}
		m.ContextWindow, m.MaxOutputTokens = abi.Tokens(ctx), abi.Tokens(maxOut)
		ev.Model = m
	case "key":
		k := &abi.Key{ID: abi.KeyID(a["id"]), Provider: abi.ProviderID(a["provider"]), Tags: a.list("tags"), Models: a.list("models")}
		if err := a.ints(map[string]*int64{"weight": &k.Weight, "tier": &k.Tier, "discount": &k.Discount,
			"rpm": &k.Limits.RPM, "tpm": &k.Limits.TPM, "rpd": &k.Limits.RPD, "conc": &k.Limits.Concurrency}); err != nil {
			return "", err
		}
		ev.Key = k
	case "budget":
		b := &abi.Budget{ID: abi.BudgetID(a["id"]), Target: a["target"]}
		var err error
		if b.Scope, err = abi.ParseScope(or(a["scope"], "global")); err != nil {
			return "", err
		}
		if b.Period, err = abi.ParsePeriod(or(a["period"], "daily")); err != nil {
			return "", err
		}
		if b.Enforcement, err = abi.ParseEnforcement(or(a["enforce"], "hard")); err != nil {
			return "", err
		}
		if b.Window, err = a.dur("window"); err != nil {
			return "", err
		}
		if b.Limit, err = a.usd("limit"); err != nil {
			return "", err
		}
		ev.Budget = b
	case "client":
		c := &abi.Client{ID: abi.ClientID(a["id"]), Models: a.list("models")}
		if err := a.ints(map[string]*int64{"rpm": &c.RPM}); err != nil {
			return "", err
		}
		ev.Client = c
	case "config":
		c := &abi.Config{}
		for _, d := range a.list("ladder") {
			v, err := time.ParseDuration(d)
			if err != nil {
				return "", err
			}
			c.CooldownLadder = append(c.CooldownLadder, abi.Duration(v))
		}
		var err error
		for k, p := range map[string]*abi.Duration{"cap": &c.CooldownCap, "hintcap": &c.ResetHintCap,
			"retrybelow": &c.RetrySameKeyBelow, "ttl": &c.AttemptTTL} {
			if *p, err = a.dur(k); err != nil {
				return "", err
			}
		}
		if err := a.ints(map[string]*int64{"threshold": &c.FailureThreshold, "fallbacks": &c.MaxFallbacks}); err != nil {
			return "", err
		}
		if c.Objective, err = objective(a); err != nil {
			return "", err
		}
		ev.Config = c
	}
	return s.apply(ev)
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func (s *scenario) command(cmd string, a args) (string, error) {
	ops := map[string]abi.Op{"disable": abi.OpDisableKey, "enable": abi.OpEnableKey, "revoke": abi.OpRevokeKey,
		"rotate": abi.OpRotateKey, "remove-key": abi.OpRemoveKey, "remove-budget": abi.OpRemoveBudget,
		"remove-client": abi.OpRemoveClient, "remove-provider": abi.OpRemoveProvider, "remove-model": abi.OpRemoveModel}
	return s.apply(abi.Event{Command: &abi.Command{Op: ops[cmd], ID: a["id"], Provider: abi.ProviderID(a["provider"])}})
}

// objective parses objective=cost secondary=reliability,latency
// weights=cost:700,reliability:300.
func objective(a args) (abi.Objective, error) {
	var o abi.Objective
	var err error
	if v := a["objective"]; v != "" {
		if o.Primary, err = abi.ParseGoal(v); err != nil {
			return o, err
		}
	}
	for _, v := range a.list("secondary") {
		g, err := abi.ParseGoal(v)
		if err != nil {
			return o, err
		}
		o.Secondary = append(o.Secondary, g)
	}
	for _, v := range a.list("weights") {
		name, milli, _ := strings.Cut(v, ":")
		g, err := abi.ParseGoal(name)
		if err != nil {
			return o, err
		}
		n, err := strconv.ParseInt(milli, 10, 64)
		if err != nil {
			return o, err
		}
		o.Weights = append(o.Weights, abi.Weight{Goal: g, Milli: n})
	}
	return o, nil
}

func (s *scenario) request(a args) (abi.RouteRequest, error) {
	req := abi.RouteRequest{V: abi.Version, Now: s.now, Model: a["model"], Provider: abi.ProviderID(a["provider"]),
		Client: abi.ClientID(a["client"]), Tags: a.list("tags"), DryRun: a.has("dry"), Detail: a.has("detail")}
	for _, k := range a.list("exclude") {
		req.Exclude = append(req.Exclude, abi.KeyID(k))
	}
	var in, max int64
	if err := a.ints(map[string]*int64{"in": &in, "max": &max, "fallbacks": &req.MaxFallbacks}); err != nil {
		return req, err
	}
	req.InputTokens, req.MaxOutputTokens = abi.Tokens(in), abi.Tokens(max)
	var err error
	req.Objective, err = objective(a)
	return req, err
}

func (s *scenario) decide(req *abi.RouteRequest) (abi.Decision, error) {
	var d abi.Decision
	err := s.call(OpRoute, req, &d)
	if err == nil && d.Attempt != 0 {
		s.lastAttempt = d.Attempt
	}
	return d, err
}

func (s *scenario) route(a args) (string, error) {
	req, err := s.request(a)
	if err != nil {
		return "", err
	}
	d, err := s.decide(&req)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if d.Code != abi.OK {
		fmt.Fprintf(&b, "refused %s", d.Code)
		if d.RetryAt != 0 {
			fmt.Fprintf(&b, " retry-at=%s", clock(d.RetryAt))
		}
		b.WriteByte('\n')
	} else {
		fmt.Fprintf(&b, "%s attempt=%d cost=%s", d.Key, d.Attempt, usd(d.EstimatedCost))
		if d.Reserved != d.EstimatedCost {
			fmt.Fprintf(&b, " reserved=%s", usd(d.Reserved))
		}
		if len(d.Fallbacks) > 0 {
			fmt.Fprintf(&b, " fallbacks=%s", strings.Join(ids(d.Fallbacks), ","))
		}
		b.WriteByte('\n')
	}
	if a.has("detail") {
		for _, c := range d.Candidates {
			fmt.Fprintf(&b, "  %s score=%s cost=%s success=%s latency=%dus headroom=%s capacity=%s",
				c.Key, pct(c.Score), usd(c.Cost), pct(c.Success), c.LatencyMicros, pct(c.Headroom), c.Capacity)
			if c.Probe {
				b.WriteString(" probe")
			}
			b.WriteByte('\n')
		}
		for _, e := range d.Excluded {
			fmt.Fprintf(&b, "  %s excluded: %s", e.Key, e.Reason)
			if e.Until != 0 {
				fmt.Fprintf(&b, " until %s", clock(e.Until))
			}
			b.WriteByte('\n')
		}
	}
	fmt.Fprintf(&b, "%s\n", d.Explanation)
	return b.String(), nil
}

// repeat runs "repeat N [settle=RESULT] route …": N decisions, each settled
// at once when settle is given, and tallies the keys chosen.
func (s *scenario) repeat(list []string) (string, error) {
	if len(list) < 2 || list[1] != "route" && !strings.HasPrefix(list[1], "settle=") {
		return "", fmt.Errorf("usage: repeat N [settle=RESULT] route args…")
	}
	n, err := strconv.Atoi(list[0])
	if err != nil || n < 1 || n > 100_000 {
		return "", fmt.Errorf("repeat count %q out of range", list[0])
	}
	rest := list[1:]
	settle := ""
	if v, ok := strings.CutPrefix(rest[0], "settle="); ok {
		settle, rest = v, rest[1:]
	}
	if len(rest) == 0 || rest[0] != "route" {
		return "", fmt.Errorf("repeat needs a route command")
	}
	a := parseArgs(rest[1:])
	req, err := s.request(a)
	if err != nil {
		return "", err
	}
	var result abi.Result
	if settle != "" {
		if result, err = abi.ParseResult(settle); err != nil {
			return "", err
		}
	}
	tally := map[string]int{}
	for i := 0; i < n; i++ {
		d, err := s.decide(&req)
		if err != nil {
			return "", err
		}
		if d.Code != abi.OK {
			tally["refused:"+d.Code.String()]++
			continue
		}
		tally[string(d.Key)]++
		if settle != "" {
			if _, err := s.apply(abi.Event{Outcome: &abi.Outcome{Attempt: d.Attempt, Result: result,
				Usage: abi.Usage{InputTokens: req.InputTokens, OutputTokens: req.MaxOutputTokens}}}); err != nil {
				return "", err
			}
		}
	}
	keys := make([]string, 0, len(tally))
	for k := range tally {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%d", k, tally[k])
	}
	b.WriteByte('\n')
	return b.String(), nil
}

// outcome reports "outcome [attempt=N|last] result=… in= out= cached=
// latency= retry-after= rl=LIMIT/REMAINING/RESET[,TOKLIMIT/TOKREMAINING/TOKRESET]".
func (s *scenario) outcome(a args) (string, error) {
	o := &abi.Outcome{Attempt: s.lastAttempt}
	if v := a["attempt"]; v != "" && v != "last" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return "", err
		}
		o.Attempt = n
	}
	var err error
	if o.Result, err = abi.ParseResult(or(a["result"], "success")); err != nil {
		return "", err
	}
	var in, out, cached, lat int64
	if err := a.ints(map[string]*int64{"in": &in, "out": &out, "cached": &cached, "status": &o.Status}); err != nil {
		return "", err
	}
	o.Usage = abi.Usage{InputTokens: abi.Tokens(in), OutputTokens: abi.Tokens(out), CachedInputTokens: abi.Tokens(cached)}
	l, err := a.dur("latency")
	if err != nil {
		return "", err
	}
	lat = int64(l) / 1000
	o.LatencyMicros = lat
	if o.RetryAfter, err = a.dur("retry-after"); err != nil {
		return "", err
	}
	if v := a["rl"]; v != "" {
		rl := abi.NoRateLimit
		parts := strings.Split(v, ",")
		if err := rateLimitPart(parts[0], &rl.LimitRequests, &rl.RemainingRequests, &rl.ResetRequests); err != nil {
			return "", err
		}
		if len(parts) > 1 {
			if err := rateLimitPart(parts[1], &rl.LimitTokens, &rl.RemainingTokens, &rl.ResetTokens); err != nil {
				return "", err
			}
		}
		o.RateLimit = &rl
	}
	return s.apply(abi.Event{Outcome: o})
}

// rateLimitPart parses LIMIT/REMAINING/RESET; "-" leaves a field absent.
func rateLimitPart(s string, limit, remaining *int64, reset *abi.Duration) error {
	f := strings.Split(s, "/")
	if len(f) != 3 {
		return fmt.Errorf("rate limit %q is not LIMIT/REMAINING/RESET", s)
	}
	for i, p := range []*int64{limit, remaining} {
		if f[i] == "-" {
			continue
		}
		n, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return err
		}
		*p = n
	}
	if f[2] != "-" {
		d, err := time.ParseDuration(f[2])
		if err != nil {
			return err
		}
		*reset = abi.Duration(d)
	}
	return nil
}

func (s *scenario) snapshot() (*abi.Snapshot, error) {
	var snap abi.Snapshot
	err := s.call(OpSnapshot, nil, &snap)
	return &snap, err
}

// state prints keys (all, or id=…) with their pools.
func (s *scenario) state(a args) (string, error) {
	snap, err := s.snapshot()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, k := range snap.Keys {
		if id := a["id"]; id != "" && string(k.Key.ID) != id {
			continue
		}
		fmt.Fprintf(&b, "%s %s", k.Key.ID, k.State)
		if k.InFlight != 0 {
			fmt.Fprintf(&b, " in-flight=%d", k.InFlight)
		}
		b.WriteByte('\n')
		for _, p := range k.Pools {
			fmt.Fprintf(&b, "  %s %s", p.Name, p.State)
			if p.Until != 0 {
				fmt.Fprintf(&b, " until %s", clock(p.Until))
			}
			fmt.Fprintf(&b, " ladder=%d success=%s", p.Ladder, pct(p.Success))
			if p.LatencyMicros != 0 {
				fmt.Fprintf(&b, " latency=%dus", p.LatencyMicros)
			}
			if p.Probe {
				b.WriteString(" probe-in-flight")
			}
			if p.InFlight != 0 {
				fmt.Fprintf(&b, " in-flight=%d", p.InFlight)
			}
			b.WriteByte('\n')
		}
	}
	return b.String(), nil
}

func (s *scenario) budgets() (string, error) {
	snap, err := s.snapshot()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, bs := range snap.Budgets {
		fmt.Fprintf(&b, "%s spent=%s reserved=%s limit=%s", bs.Budget.ID, usd(bs.Spent), usd(bs.Reserved), usd(bs.Budget.Limit))
		if bs.Start != 0 {
			fmt.Fprintf(&b, " period-start=%s", stamp(bs.Start))
		}
		b.WriteByte('\n')
	}
	return b.String(), nil
}

func ids(keys []abi.KeyID) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = string(k)
	}
	return out
}

// clock prints a time of day, UTC, with the date when it is not the
// scenario's first day.
func clock(t abi.UnixNano) string {
	u := time.Unix(0, int64(t)).UTC()
	if u.YearDay() == time.Unix(0, int64(ScenarioStart)).UTC().YearDay() && u.Year() == 2026 {
		return u.Format("15:04:05.000Z")
	}
	return u.Format("2006-01-02T15:04:05.000Z")
}

// stamp prints a full UTC time.
func stamp(t abi.UnixNano) string {
	return time.Unix(0, int64(t)).UTC().Format(time.RFC3339)
}

func usd(n abi.NanoUSD) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	return fmt.Sprintf("%s$%d.%09d", sign, n/abi.Dollars, n%abi.Dollars)
}

func pct(p abi.PPM) string { return fmt.Sprintf("%d.%d%%", p/10000, p/1000%10) }
