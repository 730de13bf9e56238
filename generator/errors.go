package generator

import "github.com/firetrail/firetrail/schemas"

// pickError picks an error code that AWS could answer pe with
// (REFERENCE.md §3.2 model errors, §3.8). For an AccessDenied it may hand
// the call to the account's auditor, whose policy denies writes.
func (w *sim) pickError(pe *pending) string {
	type choice struct {
		code   string
		weight int
	}
	var cs [8]choice
	n := 0
	add := func(code string, weight int) {
		cs[n] = choice{code, weight}
		n++
	}
	if w.deniable(pe.p) || !pe.act.readOnly() && len(pe.rs.acct.byKind[pAuditor]) > 0 {
		add(ErrAccessDenied, 6)
	}
	add(ErrThrottling, 2)
	switch pe.act {
	case actCreate:
		add(ErrInvalidArgument, 3)
		add(ErrLimitExceeded, 1)
		add(ErrInvalidKMSResource, 1)
	case actDescribe:
		add(ErrResourceNotFound, 2)
	case actListTags:
		add(ErrResourceNotFound, 1)
		add(ErrLimitExceeded, 1)
	case actTag, actUntag:
		add(ErrInvalidArgument, 2)
		add(ErrLimitExceeded, 1)
		add(ErrResourceInUse, 1)
	case actStartEnc:
		add(ErrInvalidKMSResource, 2)
		add(ErrResourceInUse, 1)
		add(ErrLimitExceeded, 1)
	case actStopEnc:
		add(ErrResourceInUse, 1)
		add(ErrLimitExceeded, 1)
	case actUpdate:
		add(ErrConcurrentModification, 3)
		add(ErrInvalidArgument, 2)
		add(ErrResourceInUse, 1)
	case actDelete:
		add(ErrResourceInUse, 2)
	case actPutRecord, actPutRecordBatch:
		add(ErrServiceUnavailable, 3)
		add(ErrInvalidArgument, 1)
		add(ErrInvalidKMSResource, 1)
	}
	total := 0
	for _, c := range cs[:n] {
		total += c.weight
	}
	x := w.r.Intn(total)
	code := cs[0].code
	for _, c := range cs[:n] {
		if x -= c.weight; x < 0 {
			code = c.code
			break
		}
	}
	if code == ErrAccessDenied && (!w.deniable(pe.p) || !pe.act.readOnly() && w.r.Intn(2) == 0) {
		if auditors := pe.rs.acct.byKind[pAuditor]; len(auditors) > 0 {
			pe.p = auditors[0]
		}
	}
	return code
}

// deniable reports whether an identity-based policy can deny p: it has
// an ARN and is not the root user (which only an SCP can deny).
func (w *sim) deniable(p *principal) bool {
	switch p.ident.Type {
	case schemas.IdentityIAMUser, schemas.IdentityAssumedRole, schemas.IdentityFederatedUser, schemas.IdentityRole:
		return true
	case schemas.IdentityRoot:
		return w.scpARN != ""
	}
	return false
}

// errorMessage returns the errorMessage of code for pe.
func (w *sim) errorMessage(pe *pending, code string) string {
	rs, s := pe.rs, pe.st
	acct := rs.acct.id
	name := ""
	if s != nil {
		name = s.name
	}
	switch code {
	case ErrAccessDenied:
		pe.p.refresh(w, pe.at)
		act := actionNames[pe.act]
		res := "arn:aws:firehose:" + rs.name + ":" + acct + ":deliverystream/*"
		if s != nil {
			res = s.arn
		}
		head := "User: " + pe.p.ident.ARN + " is not authorized to perform: firehose:" + act + " on resource: " + res
		switch {
		case pe.p.ident.Type == schemas.IdentityRoot || w.scpARN != "" && w.r.Intn(4) == 0:
			return head + " with an explicit deny in a service control policy: " + w.scpARN
		case w.r.Intn(5) == 0:
			return head + " with an explicit deny in an identity-based policy"
		}
		return head + " because no identity-based policy allows the firehose:" + act + " action"
	case ErrThrottling:
		return "Rate exceeded"
	case ErrResourceNotFound:
		return "Firehose " + name + " under account " + acct + " not found."
	case ErrResourceInUse:
		return "Firehose " + name + " under account " + acct + " is not in ACTIVE state."
	case ErrConcurrentModification:
		return "Cannot update firehose: " + name + " under account " + acct + " because the version id does not match the current version id."
	case ErrLimitExceeded:
		switch pe.act {
		case actCreate:
			return "You have already consumed your firehose quota of 5000 hoses."
		case actTag, actUntag, actListTags:
			return "Rate exceeded for TagDeliveryStream, ListTagsForDeliveryStream or UntagDeliveryStream."
		}
		return "Limit exceeded for Firehose " + name + " under account " + acct + "."
	case ErrInvalidKMSResource:
		return "Firehose is unable to use the KMS key arn:aws:kms:" + rs.name + ":" + acct + ":key/" + w.ids.uuid() + " because the key is disabled."
	case ErrServiceUnavailable:
		return "Slow down."
	case ErrInvalidArgument:
		switch pe.act {
		case actCreate:
			return "BufferingHints.SizeInMBs must be at least 64 when dynamic partitioning is enabled."
		case actTag:
			return "Tag keys must not start with the reserved prefix aws:."
		case actUntag:
			return "TagKeys must contain between 1 and 50 keys."
		case actUpdate:
			return "Updates of the destination type are not supported. Create a new Firehose stream instead."
		case actPutRecord, actPutRecordBatch:
			return "Record size exceeds the maximum of 1000 KiB."
		}
		return "Invalid argument."
	}
	return ""
}
