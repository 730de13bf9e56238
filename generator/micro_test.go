package generator

import "testing"

func BenchmarkNewStream(b *testing.B) {
	w := seed1Sim(b)
	rs := w.regions[0]
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		d := Destination(i % int(numDestinations))
		i++
		if _, err := w.newStream(rs, d, "bench-stream"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderTag(b *testing.B) {
	w := seed1Sim(b)
	s := w.regions[0].live[0]
	b.ReportAllocs()
	for b.Loop() {
		w.render(w.input(&pending{act: actTag, st: s}), s)
	}
}
