package emulator

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
	"github.com/firetrail/firetrail/emulator/internal/sigv4"
)

// ServeHTTP routes r by the routing table (routes.go).
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		e.serveJSON(w, r, target)
		return
	}
	if strings.HasPrefix(r.URL.Path, controlPrefix) {
		if e.controlAuth(w, r) {
			e.serveControl(w, r)
		}
		return
	}
	if form, ok, perr := e.queryForm(w, r); ok {
		if qr, ok := e.queryRoute(r, form); ok {
			if perr != nil {
				awsapi.WriteQueryError(w, e.ids.UUID(), qr.xmlns, awsapi.NewError(http.StatusBadRequest, "MalformedQueryString", "The request's form body cannot be decoded: %v", perr))
				return
			}
			e.serveQuery(w, r, qr, form)
			return
		}
	}
	if h := e.notify.route(r); h != nil {
		h.ServeHTTP(w, r)
		return
	}
	e.s3.ServeHTTP(w, r)
}

// serveJSON serves one call of a JSON protocol; nothing it is given can
// make it panic out or answer a bare 500.
func (e *Emulator) serveJSON(w http.ResponseWriter, r *http.Request, target string) {
	reqID := e.ids.UUID()
	defer func() {
		if p := recover(); p != nil {
			e.log.Error("panic in JSON handler", "target", target, "panic", p)
			awsapi.WriteError(w, reqID, awsapi.InternalFailure())
		}
	}()
	rt, op, ok := e.route(target)
	if !ok {
		awsapi.WriteError(w, reqID, awsapi.UnknownOperation(target))
		return
	}
	if err := awsapi.CheckJSONRequest(r); err != nil {
		awsapi.WriteError(w, reqID, err)
		return
	}
	if r.ContentLength > maxJSONBody {
		awsapi.WriteError(w, reqID, awsapi.NewError(http.StatusRequestEntityTooLarge, "SerializationException", "Request body of %d bytes is larger than %d bytes", r.ContentLength, maxJSONBody))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			awsapi.WriteError(w, reqID, awsapi.NewError(http.StatusRequestEntityTooLarge, "SerializationException", "Request body is larger than %d bytes", maxJSONBody))
			return
		}
		awsapi.WriteError(w, reqID, awsapi.Serialization("Could not read the request body: %v", err))
		return
	}
	if err := e.authenticate(r, body); err != nil {
		awsapi.WriteErrorAs(w, reqID, rt.contentType, jsonAuthError(err, rt.contentType == awsapi.JSON10))
		return
	}
	out, err := rt.handle(r.Context(), e.callOf(r, reqID), op, body)
	if err != nil {
		ae := awsapi.AsError(err)
		if ae.Status >= 500 {
			e.log.Error("JSON handler failed", "service", rt.name, "target", target, "err", err)
		}
		awsapi.WriteErrorAs(w, reqID, rt.contentType, ae)
		return
	}
	awsapi.WriteJSONAs(w, reqID, rt.contentType, out)
}

// queryForm returns the parameters of a request that may be a query
// protocol call: a GET or POST whose URL has an Action, or a POST with a
// form body (read, up to maxJSONBody, and put back in r.Body for the
// signature check). Other requests (S3's) are left untouched; a form body
// that turns out to be S3's is put back. A form body that names an Action
// but cannot be fully decoded comes with its decoding error, so that its
// service answers MalformedQueryString rather than S3 answering for it.
func (e *Emulator) queryForm(w http.ResponseWriter, r *http.Request) (url.Values, bool, error) {
	q := r.URL.Query()
	form := q
	isForm := r.Method == http.MethodPost && strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "application/x-www-form-urlencoded")
	if !isForm && q.Get("Action") == "" {
		return nil, false, nil
	}
	var perr error
	if isForm {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
		if err != nil {
			return nil, false, nil
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		// ParseQuery decodes what it can and reports the first error.
		fv, err := url.ParseQuery(string(body))
		if fv.Get("Action") == "" {
			return nil, false, nil
		}
		perr = err
		form = make(url.Values, len(q)+len(fv))
		for k, v := range q {
			form[k] = v
		}
		for k, v := range fv {
			form[k] = append(form[k], v...)
		}
	}
	return form, form.Get("Action") != "", perr
}

// serveQuery serves one query-protocol call; nothing it is given can make
// it panic out or answer a bare 500.
func (e *Emulator) serveQuery(w http.ResponseWriter, r *http.Request, qr queryRoute, form url.Values) {
	reqID := e.ids.UUID()
	action := form.Get("Action")
	defer func() {
		if p := recover(); p != nil {
			e.log.Error("panic in query handler", "service", qr.name, "action", action, "panic", p)
			awsapi.WriteQueryError(w, reqID, qr.xmlns, awsapi.InternalFailure())
		}
	}()
	if e.opts.auth != nil && !(qr.name == "sns" && unsignedLink(r, action)) {
		// The body of a form POST was read (bounded) by queryForm; others
		// are bounded here.
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
		if err != nil {
			awsapi.WriteQueryError(w, reqID, qr.xmlns, awsapi.NewError(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "Request body is larger than %d bytes", maxJSONBody))
			return
		}
		if err := e.authenticate(r, body); err != nil {
			awsapi.WriteQueryError(w, reqID, qr.xmlns, queryAuthError(err))
			return
		}
	}
	out, err := qr.handle(r.Context(), e.callOf(r, reqID), action, r.URL.Path, form)
	if err != nil {
		ae := awsapi.AsError(err)
		if ae.Status >= 500 {
			e.log.Error("query handler failed", "service", qr.name, "action", action, "err", err)
		}
		awsapi.WriteQueryError(w, reqID, qr.xmlns, ae)
		return
	}
	awsapi.WriteQuery(w, reqID, qr.xmlns, action, out)
}

// unsignedLink reports an SNS action AWS serves without a signature: the
// SubscribeURL (ConfirmSubscription) and UnsubscribeURL (Unsubscribe)
// links of SNS messages, visited as plain GETs. Signed calls of these
// actions are verified as any other.
func unsignedLink(r *http.Request, action string) bool {
	return (action == "ConfirmSubscription" || action == "Unsubscribe") && !sigv4.Signed(r)
}
