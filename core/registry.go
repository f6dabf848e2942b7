package core

import (
	"slices"
	"strings"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// MaxTokens is the most tokens the core counts: in a route request's input
// estimate and output bound, a model's context window and output limit,
// and an outcome's usage. It refuses larger counts with
// [abi.InvalidArgument], so a host that clamps or refuses them itself
// (a client's max_tokens, an adapter's estimate or usage) uses this bound.
const MaxTokens = 1 << 36

// MaxChoices is the most answers one request may ask for
// ([abi.RouteRequest].Choices): OpenAI's bound on n.
const MaxChoices = 128

// Bounds on registered objects, so no input can make the core allocate
// without limit.
const (
	maxTags        = 64
	maxKeyModels   = 4096
	maxWeight      = 1_000_000
	maxTier        = 1000
	maxLimit       = 1 << 40
	maxPrice       = 1 << 40
	maxModelName   = 256
	maxExclude     = 4096
	maxSecondaries = 4
)

func (m *Machine) upsertProvider(p *abi.Provider) error {
	if !abi.ValidID(string(p.ID)) {
		return abi.Errorf(abi.InvalidArgument, "provider id %q is not a valid id", p.ID)
	}
	if m.providerByID[p.ID] != nil {
		return nil
	}
	pr := &provider{id: p.ID, models: map[string]*model{}}
	m.providerByID[p.ID] = pr
	m.providers = insertSorted(m.providers, pr, func(p *provider) abi.ProviderID { return p.id })
	pr.budgets = m.budgetsByTarget[scopeTarget{abi.ScopeProvider, string(p.ID)}]
	return nil
}

func (m *Machine) removeProvider(id abi.ProviderID) error {
	pr := m.providerByID[id]
	if pr == nil {
		return abi.Errorf(abi.UnknownProvider, "no provider %q", id)
	}
	for _, k := range slices.Clone(pr.keys) {
		m.dropKey(k)
	}
	for name := range pr.models {
		m.dropModel(pr, name)
	}
	delete(m.providerByID, id)
	m.providers = removeSorted(m.providers, id, func(p *provider) abi.ProviderID { return p.id })
	return nil
}

func validModelName(s string) bool {
	return abi.ValidID(s) || (len(s) > 0 && len(s) <= maxModelName && printable(s))
}

// printable reports whether s is printable ASCII without quotes or
// backslashes, so it is safe to echo in headers and messages.
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

func validLimits(l abi.Limits) bool {
	for _, v := range [...]int64{l.RPM, l.TPM, l.RPD, l.Concurrency} {
		if v < 0 || v > maxLimit {
			return false
		}
	}
	return true
}

func (m *Machine) upsertModel(md *abi.Model) error {
	pr := m.providerByID[md.Provider]
	if pr == nil {
		return abi.Errorf(abi.UnknownProvider, "model %q names unknown provider %q", md.Name, md.Provider)
	}
	switch {
	case !validModelName(md.Name):
		return abi.Errorf(abi.InvalidArgument, "model name %q must be 1..%d printable ASCII bytes", md.Name, maxModelName)
	case md.QuotaGroup != "" && !abi.ValidID(md.QuotaGroup):
		return abi.Errorf(abi.InvalidArgument, "quota group %q is not a valid id", md.QuotaGroup)
	case md.Price.Input < 0 || md.Price.Output < 0 || md.Price.CachedInput < 0 ||
		md.Price.Input > maxPrice || md.Price.Output > maxPrice || md.Price.CachedInput > maxPrice:
		return abi.Errorf(abi.InvalidArgument, "model %q: prices must be 0..%d micro-USD per million tokens", md.Name, int64(maxPrice))
	case md.ContextWindow < 0 || md.ContextWindow > MaxTokens || md.MaxOutputTokens < 0 || md.MaxOutputTokens > MaxTokens:
		return abi.Errorf(abi.InvalidArgument, "model %q: token counts must be 0..%d", md.Name, int64(MaxTokens))
	case !validLimits(md.Limits):
		return abi.Errorf(abi.InvalidArgument, "model %q: limits must be 0..%d", md.Name, int64(maxLimit))
	}
	poolName := md.Name
	if md.QuotaGroup != "" {
		poolName = "group:" + md.QuotaGroup
	}
	mo := pr.models[md.Name]
	if mo == nil {
		m.models++
		mo = &model{prov: pr, serial: m.models}
		pr.models[md.Name] = mo
		list := append(m.modelsByName[md.Name], mo)
		slices.SortFunc(list, func(a, b *model) int { return strings.Compare(string(a.prov.id), string(b.prov.id)) })
		m.modelsByName[md.Name] = list
		m.lastModel.list = nil
	} else {
		pr.forgetCalm() // the limits or the pool may change
	}
	mo.cfg = *md
	mo.budgets = m.budgetsByTarget[scopeTarget{abi.ScopeModel, md.Name}]
	mo.poolName = poolName
	mo.pool = m.poolID(poolName)
	return nil
}

func (m *Machine) poolID(name string) int32 {
	id, ok := m.poolIDs[name]
	if !ok {
		id = int32(len(m.poolIDs))
		m.poolIDs[name] = id
	}
	return id
}

func (m *Machine) removeModel(prov abi.ProviderID, name string) error {
	pr := m.providerByID[prov]
	if pr == nil || pr.models[name] == nil {
		return abi.Errorf(abi.UnknownModel, "provider %q has no model %q", prov, name)
	}
	m.dropModel(pr, name)
	return nil
}

func (m *Machine) dropModel(pr *provider, name string) {
	mo := pr.models[name]
	delete(pr.models, name)
	pr.forgetCalm()
	list := slices.DeleteFunc(m.modelsByName[name], func(x *model) bool { return x == mo })
	m.lastModel.list = nil
	if len(list) == 0 {
		delete(m.modelsByName, name)
	} else {
		m.modelsByName[name] = list
	}
}

// normalize sorts and deduplicates a list of names.
func normalize(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

func (m *Machine) upsertKey(k *abi.Key) error {
	pr := m.providerByID[k.Provider]
	switch {
	case !abi.ValidID(string(k.ID)):
		return abi.Errorf(abi.InvalidArgument, "key id %q is not a valid id", k.ID)
	case pr == nil:
		return abi.Errorf(abi.UnknownProvider, "key %q names unknown provider %q", k.ID, k.Provider)
	case k.Weight < 0 || k.Weight > maxWeight:
		return abi.Errorf(abi.InvalidArgument, "key %q: weight must be 0..%d", k.ID, maxWeight)
	case k.Tier < 0 || k.Tier > maxTier:
		return abi.Errorf(abi.InvalidArgument, "key %q: tier must be 0..%d", k.ID, maxTier)
	case !validLimits(k.Limits):
		return abi.Errorf(abi.InvalidArgument, "key %q: limits must be 0..%d", k.ID, int64(maxLimit))
	case len(k.Tags) > maxTags:
		return abi.Errorf(abi.TooLarge, "key %q: %d tags, at most %d", k.ID, len(k.Tags), maxTags)
	case len(k.Models) > maxKeyModels:
		return abi.Errorf(abi.TooLarge, "key %q: %d models, at most %d", k.ID, len(k.Models), maxKeyModels)
	case k.Discount < 0 || k.Discount > 10000:
		return abi.Errorf(abi.InvalidArgument, "key %q: discount must be 0..10000 basis points", k.ID)
	}
	for _, t := range k.Tags {
		if !abi.ValidID(t) {
			return abi.Errorf(abi.InvalidArgument, "key %q: tag %q is not a valid id", k.ID, t)
		}
	}
	for _, n := range k.Models {
		if !validModelName(n) {
			return abi.Errorf(abi.InvalidArgument, "key %q: model name %q is not valid", k.ID, n)
		}
	}
	cfg := *k
	cfg.Tags, cfg.Models = normalize(k.Tags), normalize(k.Models)
	ke := m.keyByID[k.ID]
	if ke != nil && ke.prov != pr {
		m.dropKey(ke)
		ke = nil
	}
	if ke == nil {
		ke = newKey(cfg, pr)
		m.keyByID[k.ID] = ke
		m.keys = insertSorted(m.keys, ke, keyID)
		pr.keys = insertSorted(pr.keys, ke, keyID)
	}
	ke.configure(cfg)
	ke.setBudgets(m.budgetsByTarget[scopeTarget{abi.ScopeKey, string(k.ID)}])
	return nil
}

func keyID(k *key) abi.KeyID { return k.cfg.ID }

// dropKey forgets a key. Its open attempts still settle their budgets.
func (m *Machine) dropKey(k *key) {
	k.removed = true
	delete(m.keyByID, k.cfg.ID)
	m.keys = removeSorted(m.keys, k.cfg.ID, keyID)
	k.prov.keys = removeSorted(k.prov.keys, k.cfg.ID, keyID)
}

func (m *Machine) upsertClient(c *abi.Client) error {
	switch {
	case !abi.ValidID(string(c.ID)):
		return abi.Errorf(abi.InvalidArgument, "client id %q is not a valid id", c.ID)
	case len(c.Models) > maxKeyModels:
		return abi.Errorf(abi.TooLarge, "client %q: %d models, at most %d", c.ID, len(c.Models), maxKeyModels)
	case c.RPM < 0 || c.RPM > maxLimit:
		return abi.Errorf(abi.InvalidArgument, "client %q: rpm must be 0..%d", c.ID, int64(maxLimit))
	}
	for _, n := range c.Models {
		if !validModelName(n) {
			return abi.Errorf(abi.InvalidArgument, "client %q: model name %q is not valid", c.ID, n)
		}
	}
	cfg := *c
	cfg.Models = normalize(c.Models)
	cl := m.clientByID[c.ID]
	if cl == nil {
		cl = &client{cfg: cfg}
		m.clientByID[c.ID] = cl
		m.clients = insertSorted(m.clients, cl, func(c *client) abi.ClientID { return c.cfg.ID })
	}
	cl.cfg = cfg
	cl.budgets = m.budgetsByTarget[scopeTarget{abi.ScopeClient, string(c.ID)}]
	return nil
}

func (m *Machine) removeClient(id abi.ClientID) error {
	if m.clientByID[id] == nil {
		return abi.Errorf(abi.UnknownClient, "no client %q", id)
	}
	delete(m.clientByID, id)
	m.clients = removeSorted(m.clients, id, func(c *client) abi.ClientID { return c.cfg.ID })
	return nil
}

func (m *Machine) upsertBudget(b *abi.Budget) error {
	switch {
	case !abi.ValidID(string(b.ID)):
		return abi.Errorf(abi.InvalidArgument, "budget id %q is not a valid id", b.ID)
	case b.Scope > abi.ScopeClient:
		return abi.Errorf(abi.InvalidArgument, "budget %q: unknown scope %d", b.ID, b.Scope)
	case b.Period > abi.Rolling:
		return abi.Errorf(abi.InvalidArgument, "budget %q: unknown period %d", b.ID, b.Period)
	case b.Enforcement > abi.Soft:
		return abi.Errorf(abi.InvalidArgument, "budget %q: unknown enforcement %d", b.ID, b.Enforcement)
	case b.Scope == abi.ScopeGlobal && b.Target != "":
		return abi.Errorf(abi.InvalidArgument, "budget %q: a global budget has no target", b.ID)
	case b.Scope != abi.ScopeGlobal && !validModelName(b.Target):
		return abi.Errorf(abi.InvalidArgument, "budget %q: target %q is not valid", b.ID, b.Target)
	case b.Period == abi.Rolling && (b.Window < abi.Minute || b.Window > 366*24*abi.Hour):
		return abi.Errorf(abi.InvalidArgument, "budget %q: a rolling window must be 1m..366d", b.ID)
	case b.Period != abi.Rolling && b.Window != 0:
		return abi.Errorf(abi.InvalidArgument, "budget %q: only a rolling budget has a window", b.ID)
	case b.Limit < 0:
		return abi.Errorf(abi.InvalidArgument, "budget %q: limit must not be negative", b.ID)
	}
	old := m.budgetByID[b.ID]
	if old != nil && old.cfg.Scope == b.Scope && old.cfg.Target == b.Target &&
		old.cfg.Period == b.Period && old.cfg.Window == b.Window {
		old.configure(*b) // same scope and period: keep the spend
		st := scopeTarget{b.Scope, b.Target}
		m.attachBudgets(st, m.budgetsByTarget[st]) // what is derived from the limit
		return nil
	}
	if old != nil {
		m.dropBudget(old)
	}
	nb := newBudget(*b)
	m.budgetByID[b.ID] = nb
	m.budgets = insertSorted(m.budgets, nb, budgetID)
	st := scopeTarget{b.Scope, b.Target}
	m.attachBudgets(st, insertSorted(m.budgetsByTarget[st], nb, budgetID))
	return nil
}

func (m *Machine) removeBudget(id abi.BudgetID) error {
	b := m.budgetByID[id]
	if b == nil {
		return abi.Errorf(abi.UnknownBudget, "no budget %q", id)
	}
	m.dropBudget(b)
	return nil
}

func (m *Machine) dropBudget(b *budget) {
	b.removed = true
	delete(m.budgetByID, b.cfg.ID)
	m.budgets = removeSorted(m.budgets, b.cfg.ID, budgetID)
	st := scopeTarget{b.cfg.Scope, b.cfg.Target}
	m.attachBudgets(st, removeSorted(m.budgetsByTarget[st], b.cfg.ID, budgetID))
}

func budgetID(b *budget) abi.BudgetID { return b.cfg.ID }

// attachBudgets makes list the budgets of scope and target st: in the
// index, and on the global list, provider, models, key or client it names.
// Changing one budget touches only what it applies to.
func (m *Machine) attachBudgets(st scopeTarget, list []*budget) {
	if len(list) == 0 {
		delete(m.budgetsByTarget, st)
		list = nil
	} else {
		m.budgetsByTarget[st] = list
	}
	switch st.scope {
	case abi.ScopeGlobal:
		m.globalBudgets = list
	case abi.ScopeProvider:
		if p := m.providerByID[abi.ProviderID(st.target)]; p != nil {
			p.budgets = list
		}
	case abi.ScopeModel:
		for _, mo := range m.modelsByName[st.target] {
			mo.budgets = list
		}
	case abi.ScopeKey:
		if k := m.keyByID[abi.KeyID(st.target)]; k != nil {
			k.setBudgets(list)
		}
	case abi.ScopeClient:
		if c := m.clientByID[abi.ClientID(st.target)]; c != nil {
			c.budgets = list
		}
	}
}

// insertSorted inserts v into s, sorted by id.
func insertSorted[T any, ID ~string](s []T, v T, id func(T) ID) []T {
	i, _ := slices.BinarySearchFunc(s, id(v), func(e T, t ID) int { return strings.Compare(string(id(e)), string(t)) })
	return slices.Insert(s, i, v)
}

// removeSorted removes the element with the given id from s.
func removeSorted[T any, ID ~string](s []T, target ID, id func(T) ID) []T {
	i, ok := slices.BinarySearchFunc(s, target, func(e T, t ID) int { return strings.Compare(string(id(e)), string(t)) })
	if !ok {
		return s
	}
	return slices.Delete(s, i, i+1)
}
