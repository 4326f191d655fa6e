// Package engine is the state engine: it turns committed results into each
// monitor's status (ok, warning, problem) and opens and resolves incidents.
//
// Rules, per monitor:
//   - At each location, consecutive problem results are counted; the
//     location is failing after Confirm of them in a row (default 2, 1
//     means at once). One ok or warning result there ends the failure.
//   - The monitor is problem when at least MinFailedLocations (default 1,
//     at most the number of its locations) are failing; warning when fewer
//     are failing, or when the worst latest result of a location is a
//     warning (no confirmation, no incident); ok otherwise.
//   - Becoming problem opens an incident; leaving problem resolves it.
//   - A monitor whose DependsOn parent is in problem opens no incident: it
//     shows problem with the message "unreachable: parent <name> is down".
//     Once the parent is back, the child's next result is judged afresh.
//     While a parent has failed but not yet Confirm times, recently, the
//     child waits for that verdict ("waiting: parent <name> is failing,
//     not yet confirmed") instead of opening an incident first.
//   - Paused and unknown monitors are ignored. Results not newer than the
//     last one seen at their location (an agent's replayed spool) are
//     ignored.
//
// States are persisted after every batch, so a restart resumes counting
// where it stopped and resolves incidents opened before it.
package engine
