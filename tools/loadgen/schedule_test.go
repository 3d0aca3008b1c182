package main

import (
	"math"
	"testing"
	"time"
)

func TestConstantRateDueTimes(t *testing.T) {
	s := NewSchedule(Profile{Executor: "constant-arrival-rate", Rate: 5, DurationSeconds: 3})
	if s.Total() != 15 || s.Length() != 3*time.Second {
		t.Fatalf("want 15 requests over 3s, got %d over %s", s.Total(), s.Length())
	}
	for i, want := range map[int]time.Duration{0: 0, 1: 200 * time.Millisecond, 14: 2800 * time.Millisecond} {
		if got := s.Due(i); absDur(got-want) > time.Microsecond {
			t.Fatalf("request %d due at %s, want %s", i, got, want)
		}
	}
}

func TestFractionalTotalRoundsUp(t *testing.T) {
	s := NewSchedule(Profile{Executor: "constant-arrival-rate", Rate: 2.5, DurationSeconds: 3})
	if s.Total() != 8 { // 7.5 due: the eighth is due at 2.8 s, inside the schedule
		t.Fatalf("got %d", s.Total())
	}
}

func TestRampingRateFollowsTheIntegral(t *testing.T) {
	// 0 -> 10/s over 10 s (50 requests), then 10/s for 5 s (50 more).
	p := Profile{Executor: "ramping-arrival-rate", Rate: 0, Stages: []Stage{{Target: 10, Seconds: 10}, {Target: 10, Seconds: 5}}}
	s := NewSchedule(p)
	if s.Total() != 100 || s.Length() != 15*time.Second {
		t.Fatalf("want 100 over 15s, got %d over %s", s.Total(), s.Length())
	}
	// N(t) = t^2/2 on the ramp: request 8 is due at t = 4 s.
	if got := s.Due(8); absDur(got-4*time.Second) > time.Microsecond {
		t.Fatalf("request 8 due at %s, want 4s", got)
	}
	if got := s.Due(60); absDur(got-11*time.Second) > time.Microsecond {
		t.Fatalf("request 60 due at %s, want 11s", got)
	}
	prev := time.Duration(-1)
	for i := 0; i < s.Total(); i++ {
		d := s.Due(i)
		if d < prev || d > s.Length() {
			t.Fatalf("due times must rise inside the schedule: %d at %s after %s", i, d, prev)
		}
		prev = d
	}
}

func TestRampDownAndRampingWithoutStages(t *testing.T) {
	down := NewSchedule(Profile{Executor: "ramping-arrival-rate", Rate: 20, Stages: []Stage{{Target: 0, Seconds: 2}}})
	if down.Total() != 20 {
		t.Fatalf("20 -> 0 over 2 s offers 20, got %d", down.Total())
	}
	// N(t) = 20t - 5t^2; request 15 at t = 1 s.
	if got := down.Due(15); math.Abs(got.Seconds()-1) > 1e-6 {
		t.Fatalf("got %s", got)
	}
	flat := NewSchedule(Profile{Executor: "ramping-arrival-rate", Rate: 4, DurationSeconds: 2})
	if flat.Total() != 8 {
		t.Fatalf("a ramping profile without stages holds its rate: got %d", flat.Total())
	}
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
