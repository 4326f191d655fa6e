// Package alerting is the dispatcher: it turns the engine's incidents into
// notifications, decides who hears what and when, and delivers each
// message at least once, through restarts.
//
// Who hears what. An incident's immediate targets are its monitor's
// Notify plus the Notify of every route matching the monitor (by one of
// its tags, or a label of an agent among its locations), groups expanded
// to their contacts, each contact once. The escalation policy is the
// monitor's own, else the first matching route's; its steps at 0 join the
// immediate targets, later steps (numbered 1, 2, … in order of delay) are
// queued to fall due that long after the incident opened.
//
// Messages. Opened: the immediate targets and the escalation steps.
// Acknowledged: pending escalation steps and reminders are cancelled and
// everyone sent a message about the incident hears it once. Resolved:
// whatever is pending is cancelled and everyone sent a message hears it
// once; a contact never told of the opening is not told of the end. With
// the monitor's RemindEvery set, each immediate target is reminded that
// often while the incident stays open and unacknowledged (the next
// reminder is queued when one goes out). Every message is keyed by
// incident, contact, event and step: the same news twice queues nothing.
//
// Decided at send time, not at queue time:
//   - Dependencies. A dependant's opening messages are held for a grace
//     period (its parents' interval × confirmation count plus 15 s, at most
//     5 minutes), since a parent failing at the same moment confirms a
//     little later. When a message falls due while a parent is in problem,
//     it is suppressed ("parent X is down") and so is everything about
//     that incident from then on.
//   - Maintenance. While the monitor is in a maintenance window nothing
//     about it is sent ("in maintenance <name>"), not even for an incident
//     opened before the window. InMaintenance serves the engine too, so
//     that a window opens no incident at all.
//   - An escalation step or reminder for an acknowledged or ended incident
//     is cancelled.
//
// Delivery. Everything goes through the persistent outbox (store
// OutboxEntry) before it counts as done. The send loop takes due entries
// and sends each in its own goroutine, at most 16 at once and each within
// 10 s, so a hanging provider never holds up another contact. A failure is
// retried after 5 s, 10 s, 20 s, … (at most 10 minutes apart, ±10%
// jitter) and given up after 20 attempts or 24 hours, or at once when the
// provider's answer is permanent (notify.PermanentError). Every attempt,
// suppression and cancellation is in the notification log. Delivery is at
// least once: an entry being sent when the server stops stays queued and
// is sent again after the restart, so a message may (rarely) arrive twice.
//
// Acknowledgement links. Email carries a one-click link signed with
// HMAC-SHA256 under <data>/ack.key (32 random bytes, created on first
// start, mode 0600; deleting it invalidates the links sent so far), valid
// for 7 days and bound to the incident and the contact it was sent to.
package alerting
