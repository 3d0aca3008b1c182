package main

import (
	"math"
	"time"
)

// Schedule is an open-model arrival schedule: request i is due at Due(i) after the start,
// whatever happened to the requests before it. Rates ramp linearly inside a segment, as k6's
// ramping-arrival-rate does, so request i is due when the integral of the rate reaches i.
type Schedule struct {
	segments []segment
	total    int
	length   time.Duration
}

type segment struct {
	start    float64 // seconds since t0
	seconds  float64
	from, to float64 // requests per second at the segment's start and end
	before   float64 // requests due before the segment starts
}

// NewSchedule builds the schedule of a (checked) profile.
func NewSchedule(p Profile) Schedule {
	var s Schedule
	add := func(seconds, from, to float64) {
		start, before := 0.0, 0.0
		if n := len(s.segments); n > 0 {
			last := s.segments[n-1]
			start = last.start + last.seconds
			before = last.before + (last.from+last.to)/2*last.seconds
		}
		s.segments = append(s.segments, segment{start: start, seconds: seconds, from: from, to: to, before: before})
	}
	if p.Executor == "ramping-arrival-rate" && len(p.Stages) > 0 {
		from := p.Rate
		for _, st := range p.Stages {
			add(st.Seconds, from, st.Target)
			from = st.Target
		}
	} else {
		add(p.DurationSeconds, p.Rate, p.Rate)
	}
	last := s.segments[len(s.segments)-1]
	integral := last.before + (last.from+last.to)/2*last.seconds
	// Requests 0..n-1 with n the integral rounded up: a fractional last request still falls
	// inside the schedule. The epsilon keeps 15.000000001 from becoming 16.
	s.total = int(math.Ceil(integral - 1e-9))
	s.length = time.Duration((last.start + last.seconds) * float64(time.Second))
	return s
}

// Total is the number of requests the schedule offers.
func (s Schedule) Total() int { return s.total }

// Length is how long the schedule lasts, without the graceful stop.
func (s Schedule) Length() time.Duration { return s.length }

// Due is when request i (0-based) is due, measured from the schedule's start.
func (s Schedule) Due(i int) time.Duration {
	n := float64(i)
	seg := s.segments[0]
	for _, candidate := range s.segments {
		if candidate.before <= n {
			seg = candidate
		}
	}
	k := n - seg.before
	slope := (seg.to - seg.from) / seg.seconds
	var t float64
	switch {
	case math.Abs(slope) < 1e-12:
		if seg.from <= 0 {
			t = seg.seconds
		} else {
			t = k / seg.from
		}
	default:
		// from*t + slope*t^2/2 = k, the root inside the segment.
		disc := seg.from*seg.from + 2*slope*k
		if disc < 0 {
			disc = 0
		}
		t = (math.Sqrt(disc) - seg.from) / slope
	}
	t = math.Max(0, math.Min(t, seg.seconds))
	return time.Duration((seg.start + t) * float64(time.Second))
}
