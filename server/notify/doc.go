// Package notify sends notifications: one registry of contact types
// (email, webhook, slack, sms, voice, ntfy), each in its own file, and the
// Event they all render.
//
// A type registers its name, its settings and a constructor that validates
// the settings with errors naming "settings.<name>". The server validates
// a contact through New when it is saved and again when a message goes
// out; the dispatcher in server/alerting calls Notifier.Send with a
// deadline and retries errors that are not a *PermanentError.
//
// Secrets (a webhook's signing secret, a Twilio auth token, a Slack URL)
// are settings marked Secret: the server seals them at rest and opens them
// before New. Senders never put them in an error, and errors name a URL by
// scheme and host only, since paths and queries often carry tokens.
//
// Every type renders the same Event with the same texts (Summary, Facts,
// Text), so an incident reads alike in a mailbox, a chat and a pager.
package notify
