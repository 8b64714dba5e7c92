package audit

import "testing"

// go test -run '^$' -bench . -benchmem ./internal/audit/

func BenchmarkComputeHash(b *testing.B) {
	e := Head{}.Next(validEntry())
	b.ReportAllocs()
	for b.Loop() {
		ComputeHash(e.PrevHash, e)
	}
}

// BenchmarkChain100k is the cost of building a 100,000-entry trail (what
// appends add in hashing, without storage).
func BenchmarkChain100k(b *testing.B) {
	const n = 100_000
	src := make([]Entry, n)
	for i := range src {
		src[i] = entryN(i)
	}
	b.ReportAllocs()
	for b.Loop() {
		var h Head
		for _, e := range src {
			h = h.Next(e).Head()
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/entry")
}

// BenchmarkVerify100k verifies a 100,000-entry trail with an anchor.
func BenchmarkVerify100k(b *testing.B) {
	const n = 100_000
	es := buildChain(n)
	anchor := es[n-1].Head()
	b.ReportAllocs()
	for b.Loop() {
		res, err := Verify(all(es), &anchor)
		if err != nil || res.Count != n {
			b.Fatal(res, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/entry")
}
