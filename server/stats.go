package server

import (
	"sync"
	"sync/atomic"
	"time"
)

// Counters for INFO stats. Connections count their own commands and bytes
// (no shared cache line on the hot path); the server adds a connection's
// counts to the retired totals when it ends.

// totals are cumulative counters.
type totals struct {
	cmds, netIn, netOut int64
}

// samples is how many 100 ms samples the instantaneous rates average, as
// Redis's STATS_METRIC_SAMPLES.
const samples = 16

type serverStats struct {
	connsReceived atomic.Int64
	rejected      atomic.Int64
	retiredCmds   atomic.Int64
	retiredIn     atomic.Int64
	retiredOut    atomic.Int64

	mu       sync.Mutex // protects the fields below
	last     totals
	lastAt   time.Time
	opsRate  [samples]float64
	inRate   [samples]float64
	outRate  [samples]float64
	sampleAt int
}

// retire adds a finished connection's counts to the totals.
func (st *serverStats) retire(c *conn) {
	st.retiredCmds.Add(c.cmds.Load())
	st.retiredIn.Add(c.netIn.Load())
	st.retiredOut.Add(c.netOut.Load())
}

// totals sums every connection's counters.
func (s *Server) totals() totals {
	t := totals{
		cmds:   s.stats.retiredCmds.Load(),
		netIn:  s.stats.retiredIn.Load(),
		netOut: s.stats.retiredOut.Load(),
	}
	for _, c := range s.snapshotConns() {
		t.cmds += c.cmds.Load()
		t.netIn += c.netIn.Load()
		t.netOut += c.netOut.Load()
	}
	return t
}

// sample records the rates since the previous sample.
func (st *serverStats) sample(now time.Time, t totals) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.lastAt.IsZero() {
		if dt := now.Sub(st.lastAt).Seconds(); dt > 0 {
			i := st.sampleAt % samples
			st.opsRate[i] = float64(t.cmds-st.last.cmds) / dt
			st.inRate[i] = float64(t.netIn-st.last.netIn) / dt
			st.outRate[i] = float64(t.netOut-st.last.netOut) / dt
			st.sampleAt++
		}
	}
	st.last, st.lastAt = t, now
}

// rates returns the average ops/s and input/output bytes/s.
func (st *serverStats) rates() (ops, in, out float64) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for i := range samples {
		ops += st.opsRate[i]
		in += st.inRate[i]
		out += st.outRate[i]
	}
	return ops / samples, in / samples, out / samples
}
