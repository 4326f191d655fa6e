// Package seal keeps small secrets (an SMTP password, a Twilio auth token,
// a webhook's signing secret) encrypted at rest.
//
// A Box holds a 256-bit key, read from a file beside the database
// (OpenKeyFile), and seals values with AES-256-GCM. Every value is bound to
// a purpose ("smtp.password", "contact.auth_token") used as GCM's
// additional data, so a sealed value copied into another field does not
// open there. A copy of the database without the key file reveals no
// secret; the key file without the database reveals nothing either.
//
// A sealed value is text, safe in JSON:
//
//	sealed:v1:<base64url(nonce || ciphertext || tag)>
//
// The version lets a later format (or key rotation) sit beside this one.
package seal
