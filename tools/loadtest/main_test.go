package main

import (
	"testing"
	"time"
)

const wrkSample = `Running 10s test @ http://127.0.0.1:8080/api/v1/countries/KEN
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.52ms    1.10ms  21.33ms   88.12%
    Req/Sec    11.02k     1.01k   13.50k    70.00%
  Latency Distribution
     50%    1.21ms
     75%    1.80ms
     90%    2.70ms
     99%    5.95ms
  219300 requests in 10.00s, 190.12MB read
  Non-2xx or 3xx responses: 3
Requests/sec:  21927.41
Transfer/sec:     19.01MB
`

func TestParseWrk(t *testing.T) {
	r, err := parseWrk(wrkSample)
	if err != nil {
		t.Fatal(err)
	}
	if r.rps != 21927.41 || r.p99 != 5950*time.Microsecond || r.non2xx != 3 {
		t.Fatalf("got %+v", r)
	}
	if _, err := parseWrk("garbage"); err == nil {
		t.Fatal("garbage parsed")
	}
	us, err := parseWrk("\n     99%  812.00us\nRequests/sec: 10.5\n")
	if err != nil || us.p99 != 812*time.Microsecond {
		t.Fatalf("got %+v, %v", us, err)
	}
}
