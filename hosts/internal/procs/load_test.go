package procs

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

func TestLoadCountsOverlappingRequests(t *testing.T) {
	var l Load
	release := make(chan struct{})
	var entered sync.WaitGroup
	h := l.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		entered.Done()
		<-release
	}))
	serve := func(wg *sync.WaitGroup) {
		defer wg.Done()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	}
	var done sync.WaitGroup
	entered.Add(3)
	done.Add(3)
	for range 3 {
		go serve(&done)
	}
	entered.Wait()
	if p := l.takePeak(); p != 3 {
		t.Fatalf("peak %d with 3 requests in hand, want 3", p)
	}
	close(release)
	done.Wait()
	if p := l.takePeak(); p != 3 {
		t.Fatalf("peak %d: the window in which 3 were in hand, want 3", p)
	}
	if p := l.takePeak(); p != 0 {
		t.Fatalf("peak %d once all are done, want 0", p)
	}
	entered.Add(1)
	done.Add(1)
	release = make(chan struct{})
	close(release)
	serve(&done)
	if p := l.takePeak(); p != 1 {
		t.Fatalf("peak %d after one request, want 1", p)
	}
}
