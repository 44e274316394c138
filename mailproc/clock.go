package mailproc

import "time"

// ServiceClock turns "a case of this kind arrived at this moment" into the
// moment it is due. The service calendar (office hours, holidays) implements
// it; FixedClock is the 24/7 form.
type ServiceClock interface {
	Due(k Kind, from time.Time) time.Time
}

// FixedClock is a 24/7 service clock: informasi is due Info after arrival,
// aduan Complaint after arrival.
type FixedClock struct {
	Info      time.Duration // 5 minutes in the service standard
	Complaint time.Duration // 1 hour in the service standard
}

// Due implements ServiceClock.
func (c FixedClock) Due(k Kind, from time.Time) time.Time {
	return from.Add(c.For(k))
}

// StandardClock is the promise of the published service standard, 24/7.
var StandardClock = FixedClock{Info: 5 * time.Minute, Complaint: time.Hour}

// For is the promised duration of a kind.
func (c FixedClock) For(k Kind) time.Duration {
	if k == KindAduan {
		return c.Complaint
	}
	return c.Info
}

// ServiceTimer adds service time: on the service calendar a level of the
// escalation chain that has an hour has an hour of office time. FixedClock
// counts every minute.
type ServiceTimer interface {
	AddServiceTime(from time.Time, d time.Duration) time.Time
}

// AddServiceTime implements ServiceTimer: every minute counts.
func (c FixedClock) AddServiceTime(from time.Time, d time.Duration) time.Time { return from.Add(d) }
