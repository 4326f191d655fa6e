package store

import "time"

var (
	bucketRoutes       = []byte("notify_routes")
	bucketRoutesByName = []byte("notify_routes_by_name")
)

func init() { topBuckets = append(topBuckets, bucketRoutes, bucketRoutesByName) }

var routeKind = namedKind{kind: "notify_route", noun: "notification route", bucket: bucketRoutes, byName: bucketRoutesByName}

// NotifyRoute adds targets to every monitor it matches, so a new monitor
// tagged "db" pages the DBAs without each monitor listing them. It matches
// a monitor carrying any of Tags, or located on an agent carrying any of
// AgentLabels.
type NotifyRoute struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Tags        []string  `json:"tags"`
	AgentLabels []string  `json:"agent_labels"`
	Notify      []string  `json:"notify"`     // contact or group ids
	Escalation  string    `json:"escalation"` // escalation policy id; "" for none
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func (r *NotifyRoute) identity() (string, string, time.Time) { return r.ID, r.Name, r.CreatedAt }
func (r *NotifyRoute) stamp(id string, created, updated time.Time) {
	r.ID, r.CreatedAt, r.UpdatedAt = id, created, updated
}
func (r *NotifyRoute) audited() any { return *r }
func (r *NotifyRoute) normalize() error {
	for _, l := range []*[]string{&r.Tags, &r.AgentLabels, &r.Notify} {
		if *l == nil {
			*l = []string{}
		}
	}
	return nil
}

// CreateRoute stores r, setting ID, CreatedAt and UpdatedAt, and audits
// "notify_route.create". A name another route has is ErrConflict.
func (db *DB) CreateRoute(r *NotifyRoute, by Actor) error { return createNamed(db, routeKind, r, by) }

// UpdateRoute replaces route r.ID with r and audits "notify_route.update".
// An unknown id is ErrNotFound, a taken name ErrConflict.
func (db *DB) UpdateRoute(r *NotifyRoute, by Actor) error { return updateNamed(db, routeKind, r, by) }

// DeleteRoute removes a route and audits "notify_route.delete". An
// unknown id is ErrNotFound.
func (db *DB) DeleteRoute(id string, by Actor) error {
	return deleteNamed[NotifyRoute](db, routeKind, id, by, nil)
}

// Route returns the route with the given id, or ErrNotFound.
func (db *DB) Route(id string) (NotifyRoute, error) { return getNamed[NotifyRoute](db, routeKind, id) }

// Routes returns every route, ordered by id: the dispatcher takes the
// escalation policy of the first matching route.
func (db *DB) Routes() ([]NotifyRoute, error) { return listNamed[NotifyRoute](db, routeKind) }
