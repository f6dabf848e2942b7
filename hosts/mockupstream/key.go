package mockupstream

import (
	"sync"
	"sync/atomic"
	"time"
)

// key is the server's state for one bearer secret.
type key struct {
	requests atomic.Int64 // every request seen, faulted ones included

	mu          sync.Mutex // guards the fields below
	fault       Fault
	faultLeft   int // requests the fault still applies to; -1 means until cleared
	windowStart time.Time
	usedReqs    int64
	usedTokens  int64
}

// window is a key's rate-limit state as one answer reports it.
type window struct {
	limitReqs, remainingReqs     int64
	limitTokens, remainingTokens int64
	reset                        time.Duration
}

// takeFault returns the fault for the key's next request, counting it
// against Fault.Times.
func (k *key) takeFault() Fault {
	k.mu.Lock()
	defer k.mu.Unlock()
	switch k.faultLeft {
	case 0:
		return Fault{}
	case -1:
		return k.fault
	}
	k.faultLeft--
	return k.fault
}

func (k *key) setFault(f Fault) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.fault, k.faultLeft = f, f.Times
	if f.Times == 0 {
		k.faultLeft = -1
	}
}

// admit charges one request of tokens to the key's one-minute window as of
// now, unless that would exceed a limit. It returns the window after the
// charge and whether the request was admitted.
func (k *key) admit(now time.Time, tokens, limitReqs, limitTokens int64) (window, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.windowStart.IsZero() || now.Sub(k.windowStart) >= time.Minute {
		k.windowStart, k.usedReqs, k.usedTokens = now, 0, 0
	}
	ok := k.usedReqs < limitReqs && k.usedTokens+tokens <= limitTokens
	if ok {
		k.usedReqs++
		k.usedTokens += tokens
	}
	return window{
		limitReqs:       limitReqs,
		remainingReqs:   limitReqs - k.usedReqs,
		limitTokens:     limitTokens,
		remainingTokens: max(limitTokens-k.usedTokens, 0),
		reset:           k.windowStart.Add(time.Minute).Sub(now),
	}, ok
}
