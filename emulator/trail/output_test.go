package trail_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firetrail/firetrail/emulator/trail"
	"github.com/firetrail/firetrail/schemas"
)

// paddedStream returns n records over span, 3 accounts × 2 regions, of
// sizes from about 1 KB to 150 KB: every record carries additionalEventData
// padding, mostly short, sometimes longer than a compressor block (64 KiB),
// half of it incompressible, so that files end, split and cross block
// boundaries at many different offsets.
func paddedStream(n int, span time.Duration) []schemas.Record {
	recs := stream(n, span)
	var pad strings.Builder
	for i := range recs {
		x := uint64(i)*0x9E3779B97F4A7C15 ^ 0xD1B54A32D192ED03
		x ^= x >> 29
		size := int(x % 3000)
		switch {
		case i%97 == 13:
			size = 70_000 + int(x%80_000)
		case i%31 == 7:
			size = 10_000 + int(x%40_000)
		}
		pad.Reset()
		for pad.Len() < size {
			x = x*6364136223846793005 + 1442695040888963407
			if i%2 == 0 {
				fmt.Fprintf(&pad, "%016x", x)
			} else {
				pad.WriteString("firehose-padding")
			}
		}
		recs[i].AdditionalEventData = json.RawMessage(`{"pad":"` + pad.String()[:size] + `"}`)
	}
	return recs
}

// bigStream returns n records of about 20 KB, mostly incompressible, in
// 2 streams and one 5-minute window.
func bigStream(n int) []schemas.Record {
	recs := make([]schemas.Record, n)
	var pad strings.Builder
	for i := range recs {
		recs[i] = firehoseRecord(i, "111122223333", []string{"eu-west-1", "us-west-2"}[i%2], t0.Add(time.Duration(i)*100*time.Millisecond))
		x := uint64(i) + 0x9E3779B97F4A7C15
		pad.Reset()
		for pad.Len() < 10_000+int(x%20_000) {
			x = x*6364136223846793005 + 1442695040888963407
			fmt.Fprintf(&pad, "%016x", x>>7)
		}
		recs[i].AdditionalEventData = json.RawMessage(`{"pad":"` + pad.String() + `"}`)
	}
	return recs
}

// TestOutputBytesPinned pins the SHA-256 of everything a trail writes, for
// file sizes that split windows at many places (MaxFileSize near and below
// one compressor block, above it, default), with and without digests and
// notices, by event time and by clock with Flush. The sums were recorded
// with the unbuffered writer (one compressor write per record); buffering
// or any other speed-up must not change a byte.
func TestOutputBytesPinned(t *testing.T) {
	t.Parallel()
	n := 1500
	if raceEnabled {
		n = 400
	}
	recs := paddedStream(n, 40*time.Minute)
	key := loadKey(t, "digest-key.pem")
	tests := []struct {
		name  string
		cfg   trail.Config
		clock bool // by clock: advance 1 s per record, Flush every 500
		tick  bool // Tick after every Add, or AddAll by event time
		want  map[int]string
	}{
		{"min size", trail.Config{MaxFileSize: 2048}, false, true, map[int]string{
			1500: "cf636ba48a7621615176abc22d22dcd049c8de84d94e636ff9bcccaeae18a93a",
			400:  "f3a5c84812784bdf2fe385c5e3eaa4a07a6792963d1364d0cced8e44a48774a3"}},
		{"8 KiB", trail.Config{MaxFileSize: 8 << 10, SigningKey: key}, false, false, map[int]string{
			1500: "89cc2b683d91dbb07860c4ce26e90c885eceb5cbf1e3e82253d5676be4a9c350",
			400:  "25c80d26d079a9c76dc78b41e24ad5c876d2264d68a7cf0dd69d1b10a9282b3b"}},
		{"32 KiB", trail.Config{MaxFileSize: 32 << 10}, false, true, map[int]string{
			1500: "ccd7ae0beac4c0baa38e4193f02df5834be25296241d9b94c1919e2323cf60d5",
			400:  "93192927bc647cceb1f8f69d1c5c19f110f9564b67e82193a4c3dd1caf982580"}},
		{"just under a block", trail.Config{MaxFileSize: 65_000}, false, true, map[int]string{
			1500: "b76d0c244d5ca71cb0d7bc4cb9545fa10c8ff87c9c271d05915cf7a6fc0fc4f2",
			400:  "19bcf9f4745683ef7c174f1cacea68fa5d6b5cb3f57e74a0c39589cb31753c29"}},
		{"two blocks", trail.Config{MaxFileSize: 140_000, SigningKey: key, DeliveryDelay: time.Minute}, false, true, map[int]string{
			1500: "df826dc8305578964d77efe01b1232ac809bacd8a643157e2929decf89da5f2d",
			400:  "b5ddf59e99d82aa79e1170c47ddf2c646438e74ef217e7b5b88a452e94ae49ed"}},
		{"default size", trail.Config{SigningKey: key}, false, true, map[int]string{
			1500: "4f3eb8af6788c3d6928260c9de6e989e1a1a3dd35e81c37ad179a22eb36f0d9a",
			400:  "214154a94d0e0474c613269b4385e97b9b1af0c3ab1d0cfbbfe343fc44359187"}},
		{"clock and flush", trail.Config{MaxFileSize: 100_000, SigningKey: key}, true, true, map[int]string{
			1500: "cd6ccdb3f1042b66d77f72845a9584dcab02d1c87e3293ae027973282d54200c",
			400:  "8ee989dfc3cb2ac427ceaef39f0dc6e72798c67912a16df75ce4fb5aec024ff2"}},
		{"clock small", trail.Config{MaxFileSize: 16 << 10, Interval: time.Minute}, true, false, map[int]string{
			1500: "8f8c68bbae15712eb6213e3aad1f899bc2fedb6d2f3755a53c36eb867bec14f3",
			400:  "4a38e0ed513fb6a9aa51535ba836b144d7fb0d89208919c25a88194ec5371f7f"}},
	}
	// Compressed by the adding goroutine, by workers, and by both when
	// the workers' queue is full.
	workers := []struct{ n, queue int }{{0, 0}, {1, 256}, {3, 2}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, w := range workers {
				got := pinnedRun(t, tc.cfg, recs, tc.clock, tc.tick, w.n, w.queue)
				if want := tc.want[n]; got != want {
					t.Errorf("%d workers, queue %d: sha256 %s, want %s", w.n, w.queue, got, want)
				}
			}
		})
	}
	t.Run("large files", func(t *testing.T) {
		// Files of megabytes split at sizes the compressor reaches only
		// after many blocks.
		t.Parallel()
		big := bigStream(n * 2 / 3)
		h := sha256.New()
		for i, size := range []int64{1_250_000, 1_700_000, 2_500_000, 3_300_000} {
			w := workers[i%3]
			h.Write([]byte(pinnedRun(t, trail.Config{MaxFileSize: size, SigningKey: key}, big, false, i%2 == 0, w.n, w.queue)))
		}
		want := map[int]string{
			1500: "8eb30144cfffe0a2c9752d93e278cc2545ac58dea8307a5ab5d9983d9b7f3cbf",
			400:  "49ab682bb78fb97fbe2031f4178ff1105eeb5b14d3bbda54655a54bbe5445d2b",
		}[n]
		if got := hex.EncodeToString(h.Sum(nil)); got != want {
			t.Errorf("sha256 %s, want %s", got, want)
		}
	})
	t.Run("size sweep", func(t *testing.T) {
		// Many sizes, so that a split decided a few bytes off shows.
		t.Parallel()
		h := sha256.New()
		for size := int64(9_000); size < 300_000; size += 12_345 {
			w := workers[size%3]
			h.Write([]byte(pinnedRun(t, trail.Config{MaxFileSize: size}, recs[:n/3], false, true, w.n, w.queue)))
		}
		want := map[int]string{
			1500: "806347fd5fdf8a56c3310a1d86d2274c077fbe4f21f75443d3851dec8b489619",
			400:  "4ae59e328a4acb994c561deab0fc9f9cdbadcd0392a46f7d7243a3e45afca0bf",
		}[n]
		if got := hex.EncodeToString(h.Sum(nil)); got != want {
			t.Errorf("sha256 %s, want %s", got, want)
		}
	})
}

// pinnedRun delivers recs through a trail configured by cfg and returns the
// SHA-256 of every object's key, body and metadata and of every notice.
func pinnedRun(t *testing.T, cfg trail.Config, recs []schemas.Record, byClock, tick bool, workers, queue int) string {
	t.Helper()
	cfg.Seed = 7
	var notices strings.Builder
	cfg.Notify = func(n trail.Notice) { fmt.Fprintf(&notices, "%+v\n", n) }
	var clock *trail.FakeClock
	if byClock {
		clock = trail.NewFakeClock(t0)
		cfg.Clock = clock
		cfg.DigestStart = t0
	} else {
		cfg.ByEventTime = true
		cfg.DigestStart = recs[0].EventTime
	}
	// DigestStart: the digest origin the sums were recorded with (the
	// clock's time, the first eventTime), from before trails had their
	// own digest offset (TestDigestOffset); the sums pin the log files.
	tr, sink := newTrail(t, cfg)
	tr.SetWorkers(workers, queue)
	if tick && !byClock {
		must(t, tr.AddAll(t.Context(), slices.Values(recs)))
		recs = nil
	}
	for i, r := range recs {
		must(t, tr.Add(r))
		if tick {
			must(t, tr.Tick(t.Context()))
		}
		if clock != nil {
			clock.Advance(time.Second)
			if i%500 == 499 {
				must(t, tr.Flush(t.Context()))
			}
		}
	}
	must(t, tr.Close(t.Context()))
	h := sha256.New()
	for _, o := range sink.Objects() {
		s := sha256.Sum256(o.Body)
		fmt.Fprintf(h, "%s %x %v\n", o.Key, s, o.Meta)
	}
	h.Write([]byte(notices.String()))
	return hex.EncodeToString(h.Sum(nil))
}
