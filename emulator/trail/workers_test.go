package trail

// SetWorkers sets the compression workers of a Trail not yet used: n
// workers taking jobs from a queue of queue closed files (n = 0: none, the
// closing goroutine compresses).
func (t *Trail) SetWorkers(n, queue int) {
	t.par = n
	t.jobs = nil
	if n > 0 {
		t.jobs = make(chan *logFile, queue)
	}
}
