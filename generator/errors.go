package generator

import (
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/firetrail/firetrail/schemas"
)

// pickError picks an error code that AWS could answer pe with
// (the operation's errors in the Firehose API model, an IAM denial or
// throttling). For an AccessDenied it may hand
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
	// A producer filling a paced run's rate (almost every record) has the
	// permissions it needs: its calls fail as the data plane fails them,
	// not with denials at random.
	fill := w.filling && pe.act.data()
	if !fill && (w.deniable(pe.p) || !pe.act.readOnly() && len(pe.rs.acct.byKind[pAuditor]) > 0) {
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

// injected returns the error code for pe, worded by the error table of
// schemas (shared with the emulator).
func (w *sim) injected(pe *pending, code string) schemas.FirehoseError {
	rs, s := pe.rs, pe.st
	acct := rs.acct.id
	name := ""
	if s != nil {
		name = s.name
	}
	switch code {
	case ErrAccessDenied:
		pe.p.refresh(w, pe.at)
		var res string
		if s != nil {
			res = s.arn
		} else {
			res = "arn:aws:firehose:" + rs.name + ":" + acct + ":deliverystream/*"
		}
		kind := schemas.DenyNoAllow
		switch {
		case pe.p.ident.Type == schemas.IdentityRoot || w.scpARN != "" && w.r.Intn(4) == 0:
			kind = schemas.DenySCP
		case w.r.Intn(5) == 0:
			kind = schemas.DenyIdentity
		}
		return schemas.FirehoseDenied(pe.p.ident.ARN, actionNames[pe.act], res, kind, w.scpARN)
	case ErrThrottling:
		return schemas.FirehoseThrottled()
	case ErrResourceNotFound:
		return schemas.FirehoseNotFound(name, acct)
	case ErrResourceInUse:
		return schemas.FirehoseNotActive(name, acct, string(types.DeliveryStreamStatusCreating))
	case ErrConcurrentModification:
		// Another writer updated the stream since the caller read it.
		return schemas.FirehoseVersionMismatch(name, strconv.Itoa(pe.version+1), strconv.Itoa(pe.version))
	case ErrLimitExceeded:
		switch pe.act {
		case actCreate:
			return schemas.FirehoseStreamQuota(5000)
		case actTag, actUntag, actListTags:
			return schemas.FirehoseTagRate()
		}
		return schemas.FirehoseStreamLimit(name, acct)
	case ErrInvalidKMSResource:
		return schemas.FirehoseKeyDisabled("arn:aws:kms:" + rs.name + ":" + acct + ":key/" + w.ids.uuid())
	case ErrServiceUnavailable:
		return schemas.FirehoseSlowDown()
	case ErrInvalidArgument:
		switch pe.act {
		case actCreate:
			return schemas.FirehoseDynamicPartitioningBuffer()
		case actTag:
			return schemas.FirehoseReservedTagKey()
		case actUntag:
			return schemas.FirehoseTagKeyCount()
		case actUpdate:
			return schemas.FirehoseDestinationTypeChange()
		case actPutRecord, actPutRecordBatch:
			return schemas.FirehoseRecordTooLarge()
		}
		return schemas.FirehoseInvalidArgumentOther()
	}
	panic("generator: no message for error code " + code)
}
