package trail

// Buffered returns the number of log files held in memory: open, closed
// and waiting for delivery, and queued for the sink.
func (t *Trail) Buffered() int {
	t.mu.Lock()
	n := len(t.ready)
	for _, s := range t.order {
		if s.open != nil {
			n++
		}
	}
	t.mu.Unlock()
	t.putMu.Lock()
	n += len(t.outbox)
	t.putMu.Unlock()
	return n
}

// MaxTreeDirs is how many directories a TreeSink keeps open.
const MaxTreeDirs = maxTreeDirs
