package mailproc

import "strings"

// Role is what a person on the desk's side does.
type Role string

const (
	RoleStaff Role = "petugas"  // petugas informasi dan aduan: answer every case
	RoleHead  Role = "pimpinan" // a head in the escalation chain
)

// Person is a member of staff or a head: the addresses whose replies may
// act on a case, once verified.
type Person struct {
	Name  string
	Title string // "Petugas Layanan", "Kepala Seksi Pelayanan"
	Addr  string
	Role  Role
	Level int // escalation level of a head, 1 = first; 0 for staff
}

// Signature is how the person signs an answer: name and title.
func (p Person) Signature() (name, title string) {
	return p.Name, p.Title
}

// Directory is everyone on the desk's side.
type Directory struct {
	People []Person
}

// Find returns the person with that address.
func (d Directory) Find(addr string) (Person, bool) {
	addr = strings.TrimSpace(addr)
	for _, p := range d.People {
		if SameAddr(p.Addr, addr) {
			return p, true
		}
	}
	return Person{}, false
}

// Staff returns the addresses of all staff: they receive every new case.
func (d Directory) Staff() []Address {
	var out []Address
	for _, p := range d.People {
		if p.Role == RoleStaff {
			out = append(out, Address{Name: p.Name, Addr: p.Addr})
		}
	}
	return out
}

// Heads returns the heads at one level of the chain (1 = Kepala Seksi).
func (d Directory) Heads(level int) []Person {
	var out []Person
	for _, p := range d.People {
		if p.Role == RoleHead && p.Level == level {
			out = append(out, p)
		}
	}
	return out
}
