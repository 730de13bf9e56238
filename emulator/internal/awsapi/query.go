package awsapi

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
)

// The query protocol (SQS's older wire form, SNS's only one): a form body
// (or URL query) Action=<Op>&Version=<date>&..., answered with XML
// <OpResponse xmlns="..."><OpResult>...</OpResult><ResponseMetadata>
// <RequestId>...</RequestId></ResponseMetadata></OpResponse>, errors as
// <ErrorResponse><Error><Type/><Code/><Message/><Detail/></Error>
// <RequestId/></ErrorResponse>.

// WriteQuery writes a query-protocol success: the <action>Response
// element in namespace xmlns holding result (the inner XML of
// <action>Result, "" for actions without one) and the request ID.
func WriteQuery(w http.ResponseWriter, reqID, xmlns, action string, result []byte) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	fmt.Fprintf(&b, `<%sResponse xmlns="%s">`, action, xmlns)
	if result != nil {
		fmt.Fprintf(&b, "<%sResult>", action)
		b.Write(result)
		fmt.Fprintf(&b, "</%sResult>", action)
	}
	b.WriteString("<ResponseMetadata><RequestId>")
	xml.EscapeText(&b, []byte(reqID))
	fmt.Fprintf(&b, "</RequestId></ResponseMetadata></%sResponse>", action)
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("x-amzn-RequestId", reqID)
	h.Set("Content-Length", fmt.Sprint(b.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b.Bytes())
}

// WriteQueryError writes e in the query protocol's error shape, in
// namespace xmlns. The code is e.QueryCode if set, else e.Code without a
// "namespace#" prefix.
func WriteQueryError(w http.ResponseWriter, reqID, xmlns string, e *Error) {
	code := e.QueryCode
	if code == "" {
		code = e.Code
		if i := strings.LastIndexByte(code, '#'); i >= 0 {
			code = code[i+1:]
		}
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	fmt.Fprintf(&b, `<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>`, xmlns, e.faultType())
	xml.EscapeText(&b, []byte(code))
	b.WriteString("</Code><Message>")
	xml.EscapeText(&b, []byte(e.Message))
	b.WriteString("</Message><Detail/></Error><RequestId>")
	xml.EscapeText(&b, []byte(reqID))
	b.WriteString("</RequestId></ErrorResponse>")
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("x-amzn-RequestId", reqID)
	h.Set("Content-Length", fmt.Sprint(b.Len()))
	w.WriteHeader(e.Status)
	_, _ = w.Write(b.Bytes())
}
