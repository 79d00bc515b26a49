// Log lines (JSON, as the C++ services write them: ts, level, service,
// event) with one line per request, and /healthz from the backends'
// grpc.health.v1.

package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

var logMu sync.Mutex

func logEvent(level, event string, fields map[string]interface{}) {
	line := map[string]interface{}{
		"ts":      time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		"level":   level,
		"service": "partydev-gateway",
		"event":   event,
	}
	for k, v := range fields {
		line[k] = v
	}
	buf, _ := json.Marshal(line)
	logMu.Lock()
	defer logMu.Unlock()
	os.Stderr.Write(append(buf, '\n'))
}

// recorder keeps the status and size of a response. It is an http.Flusher,
// which grpc-gateway needs for streams (each line is flushed).
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// withRequestLog gives every request an x-request-id (the caller's, or a
// new one), which the services log too and which comes back as the
// X-Request-Id header, and logs one line when the request ends.
func withRequestLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 128 {
			var b [16]byte
			rand.Read(b[:])
			id = hex.EncodeToString(b[:])
			r.Header.Set("X-Request-Id", id)
		}
		w.Header().Set("X-Request-Id", id)
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		level := "info"
		if rec.status >= 500 {
			level = "warn"
		}
		logEvent(level, "http_request", map[string]interface{}{
			"method":      r.Method,
			"path":        r.URL.Path,
			"status":      rec.status,
			"bytes":       rec.bytes,
			"duration_ms": float64(time.Since(start).Microseconds()) / 1000,
			"request_id":  id,
			"remote":      r.RemoteAddr,
		})
	})
}

// healthHandler answers 200 when every backend's overall health ("") is
// SERVING, 503 otherwise or while draining; the body names each backend's
// state.
func healthHandler(conns map[string]*grpc.ClientConn, draining *atomic.Bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		type result struct{ backend, state string }
		results := make(chan result, len(conns))
		for backend, conn := range conns {
			go func(backend string, conn *grpc.ClientConn) {
				ctx, cancel := context.WithTimeout(r.Context(), time.Second)
				defer cancel()
				resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
				state := resp.GetStatus().String()
				if err != nil {
					state = "UNREACHABLE"
				}
				results <- result{backend, state}
			}(backend, conn)
		}
		body := map[string]interface{}{}
		backends := map[string]string{}
		healthy := true
		for range conns {
			res := <-results
			backends[res.backend] = res.state
			healthy = healthy && res.state == "SERVING"
		}
		body["backends"] = backends
		code := http.StatusOK
		body["status"] = "SERVING"
		if draining.Load() {
			code, body["status"] = http.StatusServiceUnavailable, "DRAINING"
		} else if !healthy {
			code, body["status"] = http.StatusServiceUnavailable, "NOT_SERVING"
		}
		buf, _ := json.Marshal(body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		w.Write(append(buf, '\n'))
	})
}
