package notify

import (
	"html/template"
	"strings"
)

// emailPage is the HTML part. html/template escapes every value, so a
// monitor named "<script>" arrives as text; styles are inline because
// mail clients drop <style> blocks. Only the colour is chosen per event,
// from a fixed list.
var emailPage = template.Must(template.New("email").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{{.Summary}}</title></head>
<body style="margin:0;padding:16px;background:#f2f4f7;font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:#101828">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:640px;border-collapse:collapse;background:#ffffff">
<tr><td style="background:{{.Color}};color:#ffffff;padding:14px 18px;font-size:16px;font-weight:bold">{{.Summary}}</td></tr>
<tr><td style="padding:14px 18px">
<table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse;font-size:14px">
{{- range .Facts}}
<tr><th align="left" valign="top" style="padding:4px 16px 4px 0;color:#475467;font-weight:normal;white-space:nowrap">{{.Label}}</th><td style="padding:4px 0">{{.Value}}</td></tr>
{{- end}}
</table>
{{- if or .AckURL .MonitorURL}}
<p style="margin:18px 0 4px 0">
{{- if .AckURL}}<a href="{{.AckURL}}" style="display:inline-block;background:#1d4ed8;color:#ffffff;text-decoration:none;padding:10px 16px;border-radius:4px;font-weight:bold;margin-right:12px">Acknowledge</a>{{end}}
{{- if .MonitorURL}}<a href="{{.MonitorURL}}" style="color:#1d4ed8">Open the monitor</a>{{end}}
</p>
{{- if .AckURL}}
<p style="margin:8px 0 0 0;font-size:12px;color:#475467">Acknowledging tells everyone you are on it and stops further escalation steps.</p>
{{- end}}
{{- end}}
</td></tr>
<tr><td style="padding:10px 18px;font-size:12px;color:#667085;background:#f9fafb">Sent by Vigil.</td></tr>
</table>
</body></html>
`))

// emailColor is the header bar's colour for ev, matching the chat colours.
func emailColor(ev Event) template.CSS {
	return template.CSS(slackColor(ev))
}

func emailHTML(ev Event) (string, error) {
	var b strings.Builder
	err := emailPage.Execute(&b, struct {
		Summary, MonitorURL, AckURL string
		Color                       template.CSS
		Facts                       []Fact
	}{ev.Summary(), ev.MonitorURL, ev.AckURL, emailColor(ev), ev.Facts()})
	return b.String(), err
}
