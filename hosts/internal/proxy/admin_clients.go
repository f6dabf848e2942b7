package proxy

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// clientRecordKind is the kind of the router records that keep virtual
// client keys.
const clientRecordKind = "client"

// clientRecord is what the router keeps of a virtual client key's token:
// its SHA-256, never the token.
type clientRecord struct {
	SHA256  string    `json:"sha256"`
	Created time.Time `json:"created"`
}

// decodeClientRecord reads a record and its token hash.
func decodeClientRecord(value []byte) (clientRecord, tokenHash, error) {
	var rec clientRecord
	if err := json.Unmarshal(value, &rec); err != nil {
		return rec, tokenHash{}, err
	}
	h, ok := parseHash(rec.SHA256)
	if !ok {
		return rec, h, errors.New("sha256 is not 64 hex digits")
	}
	return rec, h, nil
}

// LoadClients registers the virtual client keys kept in the router's
// records, so that the tokens issued before a restart keep working. The
// binary calls it once, after [New]. A malformed record is reported and
// skipped; the others are loaded.
func (s *Server) LoadClients() error {
	recs, err := s.router.Records(clientRecordKind)
	if err != nil {
		return fmt.Errorf("proxy: load clients: %w", err)
	}
	var errs []error
	for _, rec := range recs {
		_, h, err := decodeClientRecord(rec.Value)
		if err != nil {
			errs = append(errs, fmt.Errorf("proxy: client %q: %w", rec.ID, err))
			continue
		}
		s.auth.setClient(h, abi.ClientID(rec.ID))
	}
	return errors.Join(errs...)
}

// clientView is a virtual client key as the admin API shows it.
type clientView struct {
	ID     abi.ClientID `json:"id"`
	Models []string     `json:"models"`
	RPM    int64        `json:"rpm"`
	// RequestsLastMinute is the client's sliding request count.
	RequestsLastMinute int64 `json:"requests_last_minute"`
	// HasToken is false for a client no token reaches; InCore is false for
	// a token whose client the core no longer knows (its calls are refused
	// with unknown_client).
	HasToken bool         `json:"has_token"`
	InCore   bool         `json:"in_core"`
	Created  stamp        `json:"created,omitempty"`
	Budgets  []budgetView `json:"budgets"`
	// Token is only in the answer to POST /admin/v1/clients: it is kept
	// nowhere.
	Token string `json:"token,omitempty"`
}

// clientViews returns every client, from the core and from the records,
// sorted by id.
func clientViews(snap *abi.Snapshot, recs []router.Record) []clientView {
	byID := map[abi.ClientID]*clientView{}
	var ids []abi.ClientID
	view := func(id abi.ClientID) *clientView {
		if v := byID[id]; v != nil {
			return v
		}
		v := &clientView{ID: id, Models: []string{}, Budgets: []budgetView{}}
		byID[id] = v
		ids = append(ids, id)
		return v
	}
	for _, cs := range snap.Clients {
		v := view(cs.Client.ID)
		v.InCore, v.Models, v.RPM = true, emptyIfNil(cs.Client.Models), cs.Client.RPM
		v.RequestsLastMinute = sliding(cs.Minute, snap.Clock, usageMinuteSlot).Requests
	}
	for _, rec := range recs {
		v := view(abi.ClientID(rec.ID))
		cr, _, err := decodeClientRecord(rec.Value)
		v.HasToken = err == nil
		if v.HasToken && !cr.Created.IsZero() {
			v.Created = stamp(cr.Created.UnixNano())
		}
	}
	for i := range snap.Budgets {
		bs := &snap.Budgets[i]
		if v := byID[abi.ClientID(bs.Budget.Target)]; v != nil && bs.Budget.Scope == abi.ScopeClient {
			v.Budgets = append(v.Budgets, budgetViewOf(bs))
		}
	}
	slices.Sort(ids)
	out := make([]clientView, len(ids))
	for i, id := range ids {
		out[i] = *byID[id]
	}
	return out
}

// clients returns a snapshot and the clients' views.
func (a *admin) clients() (*abi.Snapshot, []clientView, error) {
	snap := a.s.router.Snapshot()
	recs, err := a.s.router.Records(clientRecordKind)
	if err != nil {
		return nil, nil, err
	}
	return snap, clientViews(snap, recs), nil
}

func findClient(views []clientView, id abi.ClientID) *clientView {
	for i := range views {
		if views[i].ID == id {
			return &views[i]
		}
	}
	return nil
}

// listClients serves GET /admin/v1/clients (no tokens: they are not kept).
func (a *admin) listClients(w http.ResponseWriter, r *http.Request) {
	_, views, err := a.clients()
	if err != nil {
		a.errorFor(r, err).write(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"clients": views})
}

// getClient serves GET /admin/v1/clients/{id}.
func (a *admin) getClient(w http.ResponseWriter, r *http.Request) {
	id := abi.ClientID(r.PathValue("id"))
	_, views, err := a.clients()
	if err != nil {
		a.errorFor(r, err).write(w)
		return
	}
	v := findClient(views, id)
	if v == nil {
		notFoundError(abi.UnknownClient, "no client %q", id).write(w)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// clientInput is the body of POST /admin/v1/clients.
type clientInput struct {
	// ID is optional: "client-<n>" is generated without one.
	ID     abi.ClientID `json:"id"`
	Models []string     `json:"models"`
	RPM    int64        `json:"rpm"`
	// Budgets are created with the client, scoped to it; an id defaults
	// to "<client>-<period>". Each is a budgetInput, decoded on its own so
	// that its errors name "budgets[i].…".
	Budgets []json.RawMessage `json:"budgets"`
}

// budgets checks the client's budgets and returns them, scoped to it.
func (in *clientInput) budgets(snap *abi.Snapshot) ([]abi.Budget, *apiError) {
	var out []abi.Budget
	for i, raw := range in.Budgets {
		field := fmt.Sprintf("budgets[%d]", i)
		bi := &budgetInput{}
		if aerr := decodeObject(raw, bi, field); aerr != nil {
			return nil, aerr
		}
		if bi.Scope != "" && bi.Scope != abi.ScopeClient.String() || bi.Target != "" && bi.Target != string(in.ID) {
			return nil, invalidField(field, "a client's budget is scoped to the client: leave scope and target out")
		}
		bi.Scope, bi.Target = abi.ScopeClient.String(), string(in.ID)
		if bi.ID == "" {
			bi.ID = abi.BudgetID(string(in.ID) + "-" + bi.Period)
		}
		b, aerr := bi.budget(field + ".")
		if aerr != nil {
			return nil, aerr
		}
		if findBudget(snap, b.ID) != nil || slices.ContainsFunc(out, func(o abi.Budget) bool { return o.ID == b.ID }) {
			return nil, conflictError("%s: budget %q exists: give it another id", field, b.ID)
		}
		out = append(out, b)
	}
	return out, nil
}

// createClient serves POST /admin/v1/clients: it creates a virtual client
// key — the core's client, its budgets and a token — and answers the token,
// this once.
func (a *admin) createClient(w http.ResponseWriter, r *http.Request) {
	var in clientInput
	if aerr := decodeBody(r, &in); aerr != nil {
		aerr.write(w)
		return
	}
	snap, views, err := a.clients()
	if err != nil {
		a.errorFor(r, err).write(w)
		return
	}
	switch {
	case in.ID == "":
		in.ID = newClientID(views)
	case findClient(views, in.ID) != nil:
		conflictError("client %q exists: delete it first to issue a new token", in.ID).write(w)
		return
	}
	budgets, aerr := in.budgets(snap)
	if aerr != nil {
		aerr.write(w)
		return
	}
	token, err := a.addClient(abi.Client{ID: in.ID, Models: in.Models, RPM: in.RPM}, budgets)
	if err != nil {
		a.errorFor(r, err).write(w)
		return
	}
	if _, views, err = a.clients(); err != nil {
		a.errorFor(r, err).write(w)
		return
	}
	v := findClient(views, in.ID)
	v.Token = token
	writeJSON(w, http.StatusCreated, v)
}

// addClient sets up a client, its budgets and its token record, undoing
// what it did when a step fails, and returns the token.
func (a *admin) addClient(c abi.Client, budgets []abi.Budget) (string, error) {
	if err := a.s.router.SetClient(c); err != nil {
		return "", err
	}
	undo := []abi.Command{{Op: abi.OpRemoveClient, ID: string(c.ID)}}
	rollback := func(err error) (string, error) {
		for _, cmd := range slices.Backward(undo) {
			if _, uerr := a.s.router.Command(cmd); uerr != nil {
				a.s.log.Error("admin: undo a failed client creation", "op", cmd.Op.String(), "id", cmd.ID, "err", uerr)
			}
		}
		return "", err
	}
	for _, b := range budgets {
		if err := a.s.router.SetBudget(b); err != nil {
			return rollback(err)
		}
		undo = append(undo, abi.Command{Op: abi.OpRemoveBudget, ID: string(b.ID)})
	}
	token := newToken(tokenPrefix)
	h := hashToken(token)
	rec, err := json.Marshal(clientRecord{SHA256: hex.EncodeToString(h[:]), Created: time.Now().UTC()})
	if err == nil {
		err = a.s.router.PutRecord(clientRecordKind, string(c.ID), rec)
	}
	if err != nil {
		return rollback(err)
	}
	a.s.auth.setClient(h, c.ID)
	return token, nil
}

// newClientID returns "client-<n>" with the least n ≥ 1 not taken.
func newClientID(views []clientView) abi.ClientID {
	for n := 1; ; n++ {
		id := abi.ClientID(fmt.Sprintf("client-%d", n))
		if findClient(views, id) == nil {
			return id
		}
	}
}

// deleteClient serves DELETE /admin/v1/clients/{id}: the token stops
// working at once, then its record, the core's client and the budgets
// scoped to the client are removed (but those the configuration defines).
func (a *admin) deleteClient(w http.ResponseWriter, r *http.Request) {
	id := abi.ClientID(r.PathValue("id"))
	_, views, err := a.clients()
	if err != nil {
		a.errorFor(r, err).write(w)
		return
	}
	v := findClient(views, id)
	if v == nil {
		notFoundError(abi.UnknownClient, "no client %q", id).write(w)
		return
	}
	a.s.auth.dropClient(id)
	if err := a.s.router.DeleteRecord(clientRecordKind, string(id)); err != nil {
		a.errorFor(r, err).write(w)
		return
	}
	cmds := []abi.Command{}
	if v.InCore {
		cmds = append(cmds, abi.Command{Op: abi.OpRemoveClient, ID: string(id)})
	}
	deleted := []abi.BudgetID{}
	for _, b := range v.Budgets {
		if _, ok := a.s.cfg.ConfigBudgets[b.ID]; ok {
			continue // the configuration's: it would be back at the next start
		}
		cmds = append(cmds, abi.Command{Op: abi.OpRemoveBudget, ID: string(b.ID)})
		deleted = append(deleted, b.ID)
	}
	for _, cmd := range cmds {
		if _, err := a.s.router.Command(cmd); err != nil {
			a.errorFor(r, err).write(w)
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "deleted": true, "budgets_deleted": deleted})
}
