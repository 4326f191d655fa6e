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
// Decided at send time, not at queue time. A message that may not go out
// yet is held: put back in the outbox with a later send time (logged as
// "held", not an attempt) and decided again then, never dropped for it.
//   - Dependencies. A dependant's opening messages wait for a grace
//     period (its parents' interval × confirmation count plus 15 s, at most
//     5 minutes), since a parent failing at the same moment confirms a
//     little later. While a parent is in problem they are held, checked
//     again after the grace, then twice that, up to 5 minutes apart; and
//     for a moment after it recovers (the dependant's interval plus 15 s)
//     so that a dependant failing only because of the parent recovers
//     unheard. Once no parent holds them they go out if the incident is
//     still open; its end is cancelled with it otherwise. Reminders due
//     meanwhile are skipped. Acknowledgement and end go to whoever was
//     told, parent down or not.
//   - Maintenance. While the monitor is in a maintenance window nothing
//     about it goes out. Opening messages, escalation steps, and the news
//     of an acknowledgement or an end for people paged before the window
//     are held to the window's end (NextChange; at most an hour at a
//     time, so a window shortened or deleted meanwhile releases them
//     soon) and decided again: an incident still open then is a real
//     problem and pages; one that ended inside the window pages nobody
//     who had not been paged, and those who had hear of its end. An
//     acknowledgement still held when the incident ends gives way to the
//     end. Reminders due inside a window are skipped (the chain goes on).
//     InMaintenance serves the engine too, so that a window opens no
//     incident at all.
//   - An escalation step or reminder for an acknowledged or ended incident
//     is cancelled.
//
// Delivery. Everything goes through the persistent outbox (store
// OutboxEntry) before it counts as done. The send loop takes due entries
// and sends each in its own goroutine, at most 16 at once and each within
// 10 s. A contact has at most 2 sends in flight, 1 while its last attempt
// failed, and failing contacts together never hold the last 4 slots: a
// hanging provider never holds up another contact. A failure is retried
// after 5 s, 10 s, 20 s, … (at most 10 minutes apart, ±10% jitter) and
// given up after 20 failed attempts or 24 hours from the first, or at
// once when the provider's answer is permanent (notify.PermanentError).
// Every attempt, hold, suppression and cancellation is in the notification
// log. Delivery is at least once: an entry being sent when the server
// stops stays queued and is sent again after the restart, so a message
// may (rarely) arrive twice. A contact with several recipients (email to,
// SMS and voice numbers) is one entry: after a partial failure the retry
// goes to every recipient again.
//
// Nothing lost between the engine and the outbox. The engine commits an
// incident, then tells the dispatcher, which queues the notifications
// moments later. While the store fails, that is retried (1 s, 2 s, … at
// most a minute apart) without end; at most 10,000 events wait in memory,
// beyond that they are dropped and recovered by the repair below once the
// store answers again. When Run starts (and after such a drop) a repair
// looks at incidents that changed since the later of 24 hours ago and the
// first time alerting ran on this data directory (store AlertingSince), so
// an upgrade or a long downtime pages nobody about old news: an open
// incident with nothing about its opening queued or logged is decided
// again as if just opened (targets from the monitor now); a resolved or
// acknowledged one whose people were sent something but whose end or
// acknowledgement is neither queued nor logged is told it. This also
// covers incidents the server resolves at startup (orphans of a crash).
//
// Acknowledgement links. Email carries a one-click link signed with
// HMAC-SHA256 under <data>/ack.key (32 random bytes, created on first
// start, mode 0600; deleting it invalidates the links sent so far), valid
// for 7 days and bound to the incident and the contact it was sent to.
package alerting
