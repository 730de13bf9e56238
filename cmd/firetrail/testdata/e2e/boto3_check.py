"""boto3 client of firetrail serve, run by TestE2EBoto3 (e2e_boto3_test.go).

Usage: python3 boto3_check.py BUCKET

The endpoint, region and credentials come from the environment
(AWS_ENDPOINT_URL is passed explicitly: boto3 before 1.28 ignores it);
path-style addressing from the config file (AWS_CONFIG_FILE). Every client
uses boto3's default settings otherwise.

It prints one JSON object with what it saw; the Go test judges it. It exits
non-zero only when a call fails outright.
"""

import datetime
import gzip
import json
import os
import sys

import boto3
import botocore


def main():
    bucket = sys.argv[1]
    endpoint = os.environ['AWS_ENDPOINT_URL']
    region = os.environ['AWS_REGION']
    s3 = boto3.client('s3', endpoint_url=endpoint)
    ct = boto3.client('cloudtrail', endpoint_url=endpoint)
    out = {'boto3': boto3.__version__, 'botocore': botocore.__version__}

    # Every object, two to a page.
    keys, pages = [], 0
    paginator = s3.get_paginator('list_objects_v2')
    for page in paginator.paginate(Bucket=bucket, PaginationConfig={'PageSize': 2}):
        pages += 1
        keys += [o['Key'] for o in page.get('Contents', [])]
    out['pages'] = pages
    out['keys'] = keys

    # Log files: download, gunzip, parse.
    log_keys = [k for k in keys if '/CloudTrail/' in k]
    digest_keys = [k for k in keys if '/CloudTrail-Digest/' in k]
    records = []
    out['log_files'] = {}
    for k in log_keys:
        body = s3.get_object(Bucket=bucket, Key=k)['Body'].read()
        recs = json.loads(gzip.decompress(body))['Records']
        out['log_files'][k] = len(recs)
        records += recs

    ids = [r['eventID'] for r in records]
    out['records'] = len(records)
    out['duplicate_ids'] = sorted({i for i in ids if ids.count(i) > 1})

    # Management events of this region in the middle half of their times.
    def management(r):
        if 'eventCategory' in r:
            return r['eventCategory'] == 'Management'
        return r.get('managementEvent', True)

    mgmt = [r for r in records if r['awsRegion'] == region and management(r)]
    times = sorted(r['eventTime'] for r in mgmt)
    start_s, end_s = times[len(times) // 4], times[3 * len(times) // 4]
    parse = lambda s: datetime.datetime.strptime(s, '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc)
    start, end = parse(start_s), parse(end_s)
    out['range'] = {'start': start_s, 'end': end_s}
    out['log_ids_in_range'] = sorted(r['eventID'] for r in mgmt if start <= parse(r['eventTime']) <= end)

    lookup, lookup_pages, last = [], 0, None
    order_ok = True
    for page in ct.get_paginator('lookup_events').paginate(StartTime=start, EndTime=end, PaginationConfig={'PageSize': 20}):
        lookup_pages += 1
        for e in page['Events']:
            lookup.append(e['EventId'])
            if last is not None and e['EventTime'] > last:
                order_ok = False
            last = e['EventTime']
            if json.loads(e['CloudTrailEvent'])['eventID'] != e['EventId']:
                out.setdefault('bad_cloudtrail_event', []).append(e['EventId'])
    out['lookup_ids'] = lookup
    out['lookup_pages'] = lookup_pages
    out['lookup_newest_first'] = order_ok

    # Ranged GETs of a log file, with and without checksum mode.
    k = log_keys[0]
    whole = s3.get_object(Bucket=bucket, Key=k)['Body'].read()
    n = len(whole)
    ranges = []
    for spec, want in [('bytes=0-99', whole[:100]), ('bytes=100-', whole[100:]),
                       ('bytes=-64', whole[-64:]), ('bytes=%d-%d' % (n // 2, n // 2 + 1000), whole[n // 2:n // 2 + 1001])]:
        for mode in (None, 'ENABLED'):
            kw = {'ChecksumMode': mode} if mode else {}
            r = s3.get_object(Bucket=bucket, Key=k, Range=spec, **kw)
            got = r['Body'].read()
            ranges.append({'range': spec, 'checksum_mode': mode, 'ok': got == want,
                           'len': len(got), 'want_len': len(want), 'content_range': r.get('ContentRange')})
    r = s3.get_object(Bucket=bucket, Key=k, ChecksumMode='ENABLED')
    ranges.append({'range': None, 'checksum_mode': 'ENABLED', 'ok': r['Body'].read() == whole,
                   'len': n, 'want_len': n, 'content_range': r.get('ContentRange')})
    out['ranged_gets'] = {'key': k, 'size': n, 'results': ranges}

    # Uploads round-trip: put_object, and upload_file above the 8 MiB
    # multipart threshold of s3transfer; download_file reads it back in
    # ranged parts.
    import hashlib, random, tempfile
    rnd = random.Random(7)
    uploads = []
    with tempfile.TemporaryDirectory() as d:
        for size in (1234, 9 * 1024 * 1024 + 11):
            data = rnd.randbytes(size)
            want = hashlib.sha256(data).hexdigest()
            key = 'e2e/boto3/put-%d.bin' % size
            s3.put_object(Bucket=bucket, Key=key, Body=data)
            got_put = hashlib.sha256(s3.get_object(Bucket=bucket, Key=key)['Body'].read()).hexdigest()
            src, dst = os.path.join(d, 'src'), os.path.join(d, 'dst')
            with open(src, 'wb') as f:
                f.write(data)
            key2 = 'e2e/boto3/upload-%d.bin' % size
            s3.upload_file(src, bucket, key2)
            s3.download_file(bucket, key2, dst)
            with open(dst, 'rb') as f:
                got_upload = hashlib.sha256(f.read()).hexdigest()
            uploads.append({'size': size, 'want': want, 'put_object': got_put, 'upload_file': got_upload})
    out['uploads'] = uploads

    # The signature of a digest, as boto3 shows S3 metadata.
    out['digest_heads'] = {d: s3.head_object(Bucket=bucket, Key=d)['Metadata'] for d in digest_keys}

    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
