package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/apikeyrouter/apikeyrouter/hosts/internal/config"
	"github.com/apikeyrouter/apikeyrouter/hosts/internal/store"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// rotateMasterKey re-wraps the data key that encrypts the stored secrets
// under a new master key (APIKEYROUTER_NEW_ENCRYPTION_KEY): no secret is
// re-encrypted. Run it with the proxy stopped.
func rotateMasterKey(environ []string) error {
	cfg, _, err := config.Load(environ)
	if err != nil {
		return err
	}
	var next string
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "APIKEYROUTER_NEW_ENCRYPTION_KEY="); ok {
			next = strings.TrimSpace(v)
		}
	}
	if next == "" {
		return errors.New("set APIKEYROUTER_NEW_ENCRYPTION_KEY to the new master key")
	}
	old, _, err := router.LoadOrCreateMasterKey(cfg.DataDir, cfg.EncryptionKey)
	if err != nil {
		return err
	}
	if cfg.EncryptionKey == "" {
		// The key lives in the data dir: keep the new one there.
		if err := rotateKeyFile(cfg.DataDir, old, []byte(next)); err != nil {
			return err
		}
		fmt.Println("master key rotated; the new key (APIKEYROUTER_NEW_ENCRYPTION_KEY's) is in",
			filepath.Join(cfg.DataDir, store.MasterKeyFile), "and is the only one that opens the store")
		return nil
	}
	if err := router.RotateMasterKey(cfg.DataDir, old, []byte(next)); err != nil {
		return fmt.Errorf("%w (if the store refuses APIKEYROUTER_ENCRYPTION_KEY from now on, the rotation "+
			"took effect: the new key is the one in force)", err)
	}
	fmt.Println("master key rotated: the key in force is now the new one (APIKEYROUTER_NEW_ENCRYPTION_KEY's); " +
		"the old key no longer opens the store. Set APIKEYROUTER_ENCRYPTION_KEY to the new key before the next start.")
	return nil
}

// rotateKeyFile rotates the store in dir from old to next when the master
// key lives in dir/master.key. The new key is on disk (master.key.new,
// fsync'd) before the rotation commits, and moved over master.key after,
// so that whatever step a kill interrupts, the key in force is on disk:
// the next start (store.LoadOrCreateMasterKey) finishes the move, or
// discards master.key.new if the rotation never committed.
func rotateKeyFile(dir string, old, next []byte) error {
	if err := rotateStaged(dir, old, next); err != nil {
		return err
	}
	if err := store.PromoteMasterKey(dir); err != nil {
		return fmt.Errorf("rotated: the new key, in %s, is the one in force; the next start moves it over %s: %w",
			store.NewMasterKeyFile, store.MasterKeyFile, err)
	}
	return nil
}

// rotateStaged is rotateKeyFile but the last step: it opens the store with
// old, stages next in master.key.new, rotates to it and closes the store.
func rotateStaged(dir string, old, next []byte) error {
	st, err := store.Open(dir, store.Options{MasterKey: old})
	if err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	if err := store.StageMasterKey(dir, next); err != nil {
		st.Close()
		return err
	}
	if err := st.RotateMasterKey(next); err != nil {
		st.Close()
		return fmt.Errorf("%w (the next start keeps whichever of %s and %s opens the store)",
			err, store.MasterKeyFile, store.NewMasterKeyFile)
	}
	// The rotation is committed and fsync'd: nothing Close reports undoes it.
	st.Close()
	return nil
}
