package store

import "time"

var (
	bucketMaintenance       = []byte("maintenance")
	bucketMaintenanceByName = []byte("maintenance_by_name")
)

func init() { topBuckets = append(topBuckets, bucketMaintenance, bucketMaintenanceByName) }

var maintenanceKind = namedKind{kind: "maintenance", noun: "maintenance window",
	bucket: bucketMaintenance, byName: bucketMaintenanceByName}

// MaintenanceWindow is a time when some monitors are expected to fail:
// their checks still run and are stored, but no incident opens and
// nothing is sent. A one-off window has Start and End; a recurring one
// has Weekly instead (Start and End zero). The scope is monitor ids,
// monitor tags and agent ids; a window whose scope is empty covers
// nothing. See ActiveAt for when it is on, Validate for what is allowed.
type MaintenanceWindow struct {
	ID        string        `json:"id"`
	Name      string        `json:"name"`
	Start     time.Time     `json:"start,omitzero"`
	End       time.Time     `json:"end,omitzero"`
	Weekly    *WeeklyWindow `json:"weekly,omitempty"`
	Monitors  []string      `json:"monitors"`
	Tags      []string      `json:"tags"`
	Agents    []string      `json:"agents"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
}

// WeeklyWindow is a window that comes back every week: on each of Days,
// from From to To on the wall clock of TimeZone. To at or before From runs
// past midnight, and the time belongs to the day it starts on: Saturday
// 22:00–02:00 covers the first two hours of Sunday. From equal to To is a
// whole day.
type WeeklyWindow struct {
	Days     []time.Weekday `json:"days"`
	From     string         `json:"from"` // "HH:MM", 24-hour
	To       string         `json:"to"`
	TimeZone string         `json:"time_zone"` // IANA name, e.g. "Europe/Berlin"
}

func (w *MaintenanceWindow) identity() (string, string, time.Time) { return w.ID, w.Name, w.CreatedAt }
func (w *MaintenanceWindow) stamp(id string, created, updated time.Time) {
	w.ID, w.CreatedAt, w.UpdatedAt = id, created, updated
}
func (w *MaintenanceWindow) audited() any { return *w }
func (w *MaintenanceWindow) normalize() error {
	for _, l := range []*[]string{&w.Monitors, &w.Tags, &w.Agents} {
		if *l == nil {
			*l = []string{}
		}
	}
	w.Start, w.End = w.Start.UTC(), w.End.UTC()
	return nil
}

// CreateMaintenance stores w, setting ID, CreatedAt and UpdatedAt, and
// audits "maintenance.create". A name another window has is ErrConflict.
// The store does not call Validate: the API does, to answer with the field.
func (db *DB) CreateMaintenance(w *MaintenanceWindow, by Actor) error {
	return createNamed(db, maintenanceKind, w, by)
}

// UpdateMaintenance replaces window w.ID with w and audits
// "maintenance.update". An unknown id is ErrNotFound, a taken name
// ErrConflict.
func (db *DB) UpdateMaintenance(w *MaintenanceWindow, by Actor) error {
	return updateNamed(db, maintenanceKind, w, by)
}

// DeleteMaintenance removes a window and audits "maintenance.delete". An
// unknown id is ErrNotFound.
func (db *DB) DeleteMaintenance(id string, by Actor) error {
	return deleteNamed[MaintenanceWindow](db, maintenanceKind, id, by, nil)
}

// Maintenance returns the window with the given id, or ErrNotFound.
func (db *DB) Maintenance(id string) (MaintenanceWindow, error) {
	return getNamed[MaintenanceWindow](db, maintenanceKind, id)
}

// MaintenanceWindows returns every window, ordered by id, past ones
// included: the caller decides what to show.
func (db *DB) MaintenanceWindows() ([]MaintenanceWindow, error) {
	return listNamed[MaintenanceWindow](db, maintenanceKind)
}
