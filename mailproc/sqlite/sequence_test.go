package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// TestNextSequenceConcurrent allocates registration numbers from many
// goroutines through two handles on one file, as two processes would, and
// checks every number was handed out exactly once: no duplicates, no gaps.
func TestNextSequenceConcurrent(t *testing.T) {
	const (
		workers = 8
		each    = 50
	)
	path := filepath.Join(t.TempDir(), "mailproc.db")
	dbs := []*DB{openAt(t, path), openAt(t, path)}
	ctx := context.Background()

	var (
		mu   sync.Mutex
		got  []int
		wg   sync.WaitGroup
		errs = make(chan error, workers)
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db := dbs[w%len(dbs)]
			for range each {
				var seq int
				err := db.Intake(ctx, func(tx mailproc.IntakeTx) error {
					var err error
					seq, err = tx.NextSequence(mailproc.KindAduan, 2026)
					return err
				})
				if err != nil {
					errs <- fmt.Errorf("worker %d: %w", w, err)
					return
				}
				mu.Lock()
				got = append(got, seq)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	sort.Ints(got)
	if len(got) != workers*each {
		t.Fatalf("got %d numbers, want %d", len(got), workers*each)
	}
	for i, seq := range got {
		if seq != i+1 {
			t.Fatalf("sorted numbers[%d] = %d, want %d (duplicate or gap)", i, seq, i+1)
		}
	}

	// Counters are per kind and per year.
	intake(t, dbs[1], func(tx mailproc.IntakeTx) error {
		for _, tt := range []struct {
			kind mailproc.Kind
			year int
			want int
		}{
			{mailproc.KindInformasi, 2026, 1},
			{mailproc.KindAduan, 2027, 1},
			{mailproc.KindAduan, 2026, workers*each + 1},
			{mailproc.KindInformasi, 2026, 2},
		} {
			seq, err := tx.NextSequence(tt.kind, tt.year)
			if err != nil {
				return err
			}
			if seq != tt.want {
				t.Errorf("NextSequence(%s, %d) = %d, want %d", tt.kind, tt.year, seq, tt.want)
			}
		}
		if _, err := tx.NextSequence("lainnya", 2026); err == nil {
			t.Error("NextSequence accepted an unknown kind")
		}
		return nil
	})
}
