package router

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/internal/store"
	"github.com/apikeyrouter/apikeyrouter/hosts/internal/wal"
)

// SyncPolicy is the journal's durability.
type SyncPolicy = wal.SyncPolicy

// Journal durabilities.
const (
	// SyncNone writes each entry to the operating system before the call
	// returns: it survives the process being killed, not a power loss.
	SyncNone = wal.SyncNone
	// SyncAlways also flushes each entry to the disk.
	SyncAlways = wal.SyncAlways
)

// LoadOrCreateMasterKey returns the key that encrypts secrets in dir: the
// value of env when set, else dir/master.key, created (mode 0600) on first
// use — created reports that, so the caller can warn to back it up.
func LoadOrCreateMasterKey(dir, env string) (key []byte, created bool, err error) {
	return store.LoadOrCreateMasterKey(dir, env)
}

// persistence keeps a router's state in a data directory: secrets and
// provider settings in the store, the core as a snapshot plus a journal of
// every input since. It is used under the router's lock, but for the
// periodic snapshot's save, which runs in the background.
type persistence struct {
	r            *Router
	store        *store.Store
	journal      *wal.Log
	seq          uint64
	since, every int
	entry        []byte // reused journal entry buffer
	// saving is set while a periodic snapshot is being saved; saved
	// waits for it.
	saving atomic.Bool
	saved  sync.WaitGroup
}

// Object kinds in the store.
const kindProvider = "provider"

func openPersistence(ctx context.Context, r *Router, opts Options) (*persistence, bool, error) {
	st, err := store.Open(opts.DataDir, store.Options{MasterKey: opts.MasterKey})
	if err != nil {
		return nil, false, fmt.Errorf("router: data dir: %w", err)
	}
	j, err := wal.Open(filepath.Join(opts.DataDir, "journal"), wal.Options{Sync: opts.Sync})
	if err != nil {
		st.Close()
		return nil, false, fmt.Errorf("router: journal: %w", err)
	}
	if n, seg := j.Truncated(); n > 0 {
		r.log.Warn("journal: dropped the torn tail of a crash", "bytes", n, "segment", seg)
	}
	p := &persistence{r: r, store: st, journal: j, every: opts.SnapshotEvery}
	if p.every <= 0 {
		p.every = 20000
	}
	recovered, err := p.recover(ctx)
	if err != nil {
		j.Close()
		st.Close()
		return nil, false, err
	}
	return p, recovered, nil
}

// recover restores the last snapshot, replays the journal after it and
// loads the secrets and provider settings.
func (p *persistence) recover(ctx context.Context) (bool, error) {
	recovered := false
	seq, snap, err := p.store.LatestSnapshot()
	switch {
	case err == nil:
		if err := p.r.engine.Restore(ctx, snap); err != nil {
			return false, fmt.Errorf("router: restore snapshot %d: %w", seq, err)
		}
		p.seq, recovered = seq, true
	case !errors.Is(err, store.ErrNotFound):
		return false, fmt.Errorf("router: snapshot: %w", err)
	}
	replayed := 0
	err = p.journal.Replay(p.seq, func(s uint64, data []byte) error {
		if len(data) == 0 {
			return fmt.Errorf("empty journal entry %d", s)
		}
		call := p.r.engine.Apply
		if data[0] == opRoute {
			call = p.r.engine.Route
		}
		if _, err := call(ctx, data[1:]); err != nil {
			p.r.log.Error("replaying journal entry", "seq", s, "err", err)
		}
		p.seq = s
		replayed++
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("router: replay journal: %w", err)
	}
	if p.seq > p.journal.Last() {
		// The snapshot is ahead of the journal (it replaced entries a
		// failed append lost): the journal restarts after it.
		if err := p.journal.Rotate(p.seq); err != nil {
			return false, fmt.Errorf("router: restart journal after snapshot %d: %w", p.seq, err)
		}
	}
	if replayed > 0 {
		recovered = true
		p.r.log.Info("recovered state", "snapshot", seq, "replayed", replayed)
	}
	if err := p.loadSecrets(); err != nil {
		return false, err
	}
	if err := p.loadProviders(); err != nil {
		return false, err
	}
	s, err := p.r.snapshotLocked(ctx)
	if err != nil {
		return false, err
	}
	for _, m := range s.Models {
		p.r.noteModel(m.Model.Provider, m.Model.Name)
	}
	return recovered, nil
}

// record journals one input the engine accepted. When the journal cannot
// take it (a full disk, a broken file), a snapshot that covers the input
// takes its place (see coverBySnapshot).
func (p *persistence) record(ctx context.Context, op byte, in []byte) error {
	if err := p.append(ctx, op, in); err != nil {
		return p.coverBySnapshot(ctx, err)
	}
	return nil
}

// append journals one input and, every so many, snapshots in the
// background.
func (p *persistence) append(ctx context.Context, op byte, in []byte) error {
	// A route matters only with what follows it: the outcome that settles
	// the attempt writes it (see wal.Log.Defer). Lost in a crash, the
	// request it routed was interrupted, and an interrupted request may go
	// uncharged.
	_, err := p.add(ctx, op, in, op == opRoute)
	return err
}

// accept journals one input without writing it yet: the caller writes it
// with written(seq) once it has released the router's lock, so that the
// write(2) — and under SyncAlways the fsync — holds up no call into the
// core, and inputs accepted meanwhile share it.
func (p *persistence) accept(ctx context.Context, op byte, in []byte) (seq uint64, err error) {
	return p.add(ctx, op, in, true)
}

func (p *persistence) add(ctx context.Context, op byte, in []byte, later bool) (uint64, error) {
	p.entry = append(append(p.entry[:0], op), in...)
	add := p.journal.Append
	if later {
		add = p.journal.Defer
	}
	if err := add(p.seq+1, p.entry); err != nil {
		return 0, err
	}
	p.seq++
	if p.since++; p.since >= p.every && !p.saving.Load() {
		p.snapshotInBackground(ctx)
	}
	return p.seq, nil
}

// written writes the input accepted as seq, without the router's lock. If
// the write fails, a snapshot takes its place, as for any input the
// journal could not take — unless one already has: after another
// caller's failed write, or at Close.
func (p *persistence) written(ctx context.Context, seq uint64) {
	covered := func(err error) bool { return err == nil || errors.Is(err, wal.ErrClosed) }
	if covered(p.journal.Write(seq)) {
		return
	}
	p.r.mu.Lock()
	defer p.r.mu.Unlock()
	err := p.journal.Write(seq)
	if covered(err) {
		return
	}
	p.r.log.Error("journal write failed; snapshotting instead", "seq", seq, "err", err)
	p.snapshot(ctx) // logs its own failure: the input is then at risk
}

// coverBySnapshot stands in for an input, already applied, that the
// journal failed to take (err): a snapshot that covers it restarts the
// journal after it. Only if that fails too is the input at risk, and the
// call fails.
func (p *persistence) coverBySnapshot(ctx context.Context, err error) error {
	p.seq++
	p.r.log.Error("journal append failed; snapshotting instead", "seq", p.seq, "err", err)
	if !p.snapshot(ctx) {
		return fmt.Errorf("%w: journal and snapshot both failed: %v", ErrUnavailable, err)
	}
	return nil
}

// snapshot stores the core's state and drops the journal it covers,
// reporting whether it could. A failure is logged; the journal still has
// everything.
func (p *persistence) snapshot(ctx context.Context) bool {
	p.r.applyPendingLocked(ctx)
	b, err := p.r.engine.Snapshot(ctx)
	if err == nil {
		err = p.save(p.seq, b)
	}
	if err != nil {
		p.r.log.Error("snapshot", "seq", p.seq, "err", err)
		return false
	}
	p.since = 0
	return true
}

// snapshotInBackground takes the core's state now and saves it without
// holding up calls: committing it to the store (an fsync) and rotating the
// journal take milliseconds, and a busy disk can make it hundreds. The
// journal keeps every entry until the save is done; a failed save is
// logged and tried again after as many entries.
func (p *persistence) snapshotInBackground(ctx context.Context) {
	p.r.applyPendingLocked(ctx)
	b, err := p.r.engine.Snapshot(ctx)
	if err != nil {
		p.r.log.Error("snapshot", "seq", p.seq, "err", err)
		p.since = 0
		return
	}
	seq := p.seq
	p.since = 0
	p.saving.Store(true)
	p.saved.Add(1)
	go func() {
		defer p.saved.Done()
		defer p.saving.Store(false)
		if err := p.save(seq, b); err != nil {
			p.r.log.Error("snapshot", "seq", seq, "err", err)
		}
	}()
}

// save stores a snapshot covering the journal up to seq and drops the
// journal it covers. A snapshot older than one already saved is refused
// by the store and changes nothing.
func (p *persistence) save(seq uint64, b []byte) error {
	if err := p.store.SaveSnapshot(seq, b); err != nil {
		return err
	}
	return p.journal.Rotate(seq)
}

func (p *persistence) close(ctx context.Context) error {
	p.saved.Wait()
	p.snapshot(ctx)
	return errors.Join(p.journal.Close(), p.store.Close())
}

// secretRecord is a secret as stored (encrypted as a whole).
type secretRecord struct {
	Current       string    `json:"current"`
	Previous      string    `json:"previous,omitempty"`
	PreviousUntil time.Time `json:"previous_until,omitzero"`
}

func (p *persistence) saveSecret(id abi.KeyID, s *secret) error {
	b, err := json.Marshal(secretRecord{s.current, s.previous, s.previousUntil})
	if err != nil {
		return err
	}
	return p.store.PutSecret(string(id), b)
}

func (p *persistence) deleteSecret(id abi.KeyID) error { return p.store.DeleteSecret(string(id)) }

func (p *persistence) loadSecrets() error {
	ids, err := p.store.SecretIDs()
	if err != nil {
		return fmt.Errorf("router: secrets: %w", err)
	}
	for _, id := range ids {
		b, err := p.store.Secret(id)
		if err != nil {
			return fmt.Errorf("router: secret of %s: %w", id, err)
		}
		var rec secretRecord
		if err := json.Unmarshal(b, &rec); err != nil {
			return fmt.Errorf("router: secret of %s: malformed record", id)
		}
		p.r.secrets[abi.KeyID(id)] = &secret{current: rec.Current, previous: rec.Previous, previousUntil: rec.PreviousUntil}
	}
	return nil
}

// providerRecord is a provider's settings as stored, sealed: its headers
// and its base URL may carry credentials.
type providerRecord struct {
	Adapter string      `json:"adapter,omitempty"`
	BaseURL string      `json:"base_url,omitempty"`
	Header  http.Header `json:"header,omitempty"`
}

func (p *persistence) saveProvider(pr *Provider) error {
	b, err := json.Marshal(providerRecord{pr.AdapterName, pr.BaseURL, pr.Header})
	if err != nil {
		return err
	}
	return p.store.PutSealed(kindProvider, string(pr.ID), b)
}

// loadProviders reads the providers' settings; a record an earlier version
// stored in the clear is stored again sealed. A provider [MissingBase]
// reports, which an earlier version may have stored, is loaded without an
// adapter; its record stays as it is.
func (p *persistence) loadProviders() error {
	recs, err := p.store.ListSealed(kindProvider)
	if err != nil {
		return fmt.Errorf("router: providers: %w", err)
	}
	for _, rec := range recs {
		var pr providerRecord
		if err := json.Unmarshal(rec.Value, &pr); err != nil {
			return fmt.Errorf("router: provider %s: malformed record", rec.ID)
		}
		prov := &Provider{ID: abi.ProviderID(rec.ID), AdapterName: pr.Adapter, BaseURL: pr.BaseURL, Header: pr.Header}
		p.r.attach(prov)
		if rec.Unsealed {
			if err := p.saveProvider(prov); err != nil {
				return fmt.Errorf("router: provider %s: sealing: %w", rec.ID, err)
			}
		}
		p.r.providers[prov.ID] = prov
	}
	return nil
}

// RotateMasterKey re-wraps the data key of dataDir's store under newKey:
// no secret is re-encrypted. The router must not be running on dataDir.
func RotateMasterKey(dataDir string, oldKey, newKey []byte) error {
	st, err := store.Open(dataDir, store.Options{MasterKey: oldKey})
	if err != nil {
		return fmt.Errorf("router: data dir: %w", err)
	}
	if err := st.RotateMasterKey(newKey); err != nil {
		st.Close()
		return fmt.Errorf("router: rotate master key: %w", err)
	}
	return st.Close()
}
