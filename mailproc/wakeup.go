package mailproc

// Wakeup is a doorbell with one slot: Ring never blocks, and rings that come
// while the owner is busy fold into one it finds when it next waits. It is
// made when its owner is constructed (NewPostman, NewEscalator), never on
// first use: a channel made lazily by whichever goroutine gets there first
// is a data race between Run and the first Ring.
type Wakeup chan struct{}

// NewWakeup makes a doorbell.
func NewWakeup() Wakeup { return make(Wakeup, 1) }

// Ring wakes the owner, or does nothing when a ring is already waiting.
func (w Wakeup) Ring() {
	select {
	case w <- struct{}{}:
	default:
	}
}
