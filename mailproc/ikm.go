package mailproc

import "math"

// The Indeks Kepuasan Masyarakat (IKM) is the satisfaction figure Indonesian
// public services must publish (PermenPANRB No. 14 Tahun 2017): the average
// of the 1-4 answers × 25, a value from 25 to 100, with its quality grade
// (mutu pelayanan). The desk asks one question in the closing mail, so the
// average is that of one item.

// IKMStats is the index of one kind of case, or of all (Kind "").
type IKMStats struct {
	Kind    Kind
	Answers int    // ratings given (jumlah responden)
	Counts  [5]int // Counts[s] is the number of answers with score s (1-4)
	// Index is average × 25, rounded to two decimals; HasIndex is false
	// with no answers.
	Index    float64
	HasIndex bool
	Grade    IKMGrade
	// Closed is the number of the month's cases closed (selesai): each got
	// the closing mail's question. ResponseRate is 100 × Answers / Closed;
	// HasRate is false when Closed is 0.
	Closed       int
	ResponseRate float64
	HasRate      bool
}

// IKMGrade is a quality grade of the index.
type IKMGrade struct {
	Letter string // A, B, C, D
	Label  string // Sangat Baik, Baik, Kurang Baik, Tidak Baik
}

// GradeIKM is the grade of an index (PermenPANRB 14/2017): A Sangat Baik
// 88,31-100; B Baik 76,61-88,30; C Kurang Baik 65,00-76,60; D Tidak Baik
// 25,00-64,99. The index is first rounded to two decimals, as published.
func GradeIKM(index float64) IKMGrade {
	x := math.Round(index*100) / 100
	switch {
	case x >= 88.31:
		return IKMGrade{"A", "Sangat Baik"}
	case x >= 76.61:
		return IKMGrade{"B", "Baik"}
	case x >= 65.00:
		return IKMGrade{"C", "Kurang Baik"}
	default:
		return IKMGrade{"D", "Tidak Baik"}
	}
}

// AddRatings fills r.IKM and r.Satisfaction from the ratings of the
// month's cases (cases as given to BuildMonthReport; ratings of other
// cases are left out). A case rated more than once counts with its latest
// rating (ratings are oldest first), so one citizen is one respondent.
func (r *MonthReport) AddRatings(cases []*Case, ratings []Rating) {
	kindOf := map[int64]Kind{}
	stats := []IKMStats{{Kind: KindInformasi}, {Kind: KindAduan}, {}}
	for _, c := range cases {
		if c == nil || c.OpenedAt.Before(r.From) || !c.OpenedAt.Before(r.To) {
			continue
		}
		k := c.Kind
		if c.Verdict.Decided() && c.Verdict.Kind.Valid() {
			k = c.Verdict.Kind
		}
		if k != KindAduan {
			k = KindInformasi
		}
		kindOf[c.ID] = k
		if c.State == StateSelesai {
			stats[kindIndex(k)].Closed++
			stats[2].Closed++
		}
	}
	latest := map[int64]Rating{}
	var order []int64
	for _, rt := range ratings {
		if _, ok := kindOf[rt.CaseID]; !ok || rt.Score < 1 || rt.Score > 4 {
			continue
		}
		if _, seen := latest[rt.CaseID]; !seen {
			order = append(order, rt.CaseID)
		}
		latest[rt.CaseID] = rt
	}
	var counted []Rating
	for _, id := range order {
		rt := latest[id]
		counted = append(counted, rt)
		for _, i := range []int{kindIndex(kindOf[id]), 2} {
			stats[i].Answers++
			stats[i].Counts[rt.Score]++
		}
	}
	for i := range stats {
		s := &stats[i]
		if s.Answers > 0 {
			sum := 0
			for score, n := range s.Counts {
				sum += score * n
			}
			s.Index = math.Round(float64(sum)/float64(s.Answers)*25*100) / 100
			s.HasIndex = true
			s.Grade = GradeIKM(s.Index)
		}
		if s.Closed > 0 {
			s.HasRate = true
			s.ResponseRate = 100 * float64(s.Answers) / float64(s.Closed)
		}
	}
	r.IKM = stats
	r.Satisfaction = SatisfactionSummary(counted)
}

func kindIndex(k Kind) int {
	if k == KindAduan {
		return 1
	}
	return 0
}
