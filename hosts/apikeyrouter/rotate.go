package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/apikeyrouter/apikeyrouter/hosts/internal/config"
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
	if err := router.RotateMasterKey(cfg.DataDir, old, []byte(next)); err != nil {
		return err
	}
	if cfg.EncryptionKey == "" {
		// The key lived in the data dir: keep the new one there.
		path := filepath.Join(cfg.DataDir, "master.key")
		if err := os.WriteFile(path+".new", []byte(next+"\n"), 0o600); err != nil {
			return fmt.Errorf("rotated, but could not save the new key (keep APIKEYROUTER_NEW_ENCRYPTION_KEY): %w", err)
		}
		if err := os.Rename(path+".new", path); err != nil {
			return fmt.Errorf("rotated, but could not save the new key (keep APIKEYROUTER_NEW_ENCRYPTION_KEY): %w", err)
		}
		fmt.Println("master key rotated; the new key is in", path)
		return nil
	}
	fmt.Println("master key rotated; set APIKEYROUTER_ENCRYPTION_KEY to the new key before the next start")
	return nil
}
