# Drives firetrail serve's SQS (query protocol: botocore < 1.31 speaks
# nothing else) and SNS with boto3 and prints what it saw as JSON, for
# TestE2EQueues/boto3 (cmd/firetrail/e2e_queues_test.go) to check.
#
# usage: queues_boto3.py SECTION BUCKET ACCOUNT [MESSAGE]
#
# Each section prints one JSON object. The checks live in the Go test; the
# script only records: message bodies, MD5s, error codes and messages.

import base64
import json
import os
import sys
import threading
import time
import urllib.parse
import urllib.request

import boto3
import botocore

# botocore before 1.31 does not read AWS_ENDPOINT_URL.
url = os.environ['AWS_ENDPOINT_URL']
section, bucket, account = sys.argv[1], sys.argv[2], sys.argv[3]
sqs = boto3.client('sqs', endpoint_url=url)
sns = boto3.client('sns', endpoint_url=url)
s3 = boto3.client('s3', endpoint_url=url)
fh = boto3.client('firehose', endpoint_url=url)
ct = boto3.client('cloudtrail', endpoint_url=url)


def flush():
    """POST /_firetrail/flush; returns the keys it wrote."""
    req = urllib.request.Request(url + '/_firetrail/flush', method='POST')
    return json.load(urllib.request.urlopen(req))['keys']


def log_keys(keys):
    return [k for k in keys if '/CloudTrail/' in k]


def queue(name, **attrs):
    q = sqs.create_queue(QueueName=name, Attributes={k: str(v) for k, v in attrs.items()})['QueueUrl']
    arn = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=['QueueArn'])['Attributes']['QueueArn']
    return q, arn


def receive(q, wait=5, **kw):
    return sqs.receive_message(QueueUrl=q, WaitTimeSeconds=wait, MaxNumberOfMessages=10, **kw).get('Messages', [])


def drain(q, n, **kw):
    """Receives and deletes messages until n arrived or a 5 s poll is empty."""
    got = []
    while len(got) < n:
        msgs = receive(q, **kw)
        if not msgs:
            break
        for m in msgs:
            sqs.delete_message(QueueUrl=q, ReceiptHandle=m['ReceiptHandle'])
        got += msgs
    return got


def code(fn, **kw):
    """Calls fn; returns [code, message] of the ClientError it raises."""
    try:
        fn(**kw)
    except botocore.exceptions.ClientError as e:
        return [e.response['Error']['Code'], e.response['Error']['Message']]
    return ['no error', '']


def jsonable(msgs):
    """Messages with binary attribute values in base64."""
    for m in msgs:
        for a in m.get('MessageAttributes', {}).values():
            if 'BinaryValue' in a:
                a['BinaryValue'] = base64.b64encode(a['BinaryValue']).decode()
    return msgs


def s3events():
    q, arn = queue('boto3-s3-events')
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={'QueueConfigurations': [{
        'Id': 'cloudtrail-logs', 'QueueArn': arn, 'Events': ['s3:ObjectCreated:*'],
        'Filter': {'Key': {'FilterRules': [
            {'Name': 'prefix', 'Value': 'AWSLogs/%s/CloudTrail/' % account},
            {'Name': 'suffix', 'Value': '.json.gz'}]}}}]})
    out = {'config': s3.get_bucket_notification_configuration(Bucket=bucket).get('QueueConfigurations', []),
           'queueArn': arn}
    out['test'] = [m['Body'] for m in drain(q, 1)]
    # A key that needs URL encoding, then a log file made by a recorded
    # Firehose call.
    special = 'AWSLogs/%s/CloudTrail/boto3 e2e/a+b ü=c.json.gz' % account
    s3.put_object(Bucket=bucket, Key=special, Body=b'not really gzip')
    fh.list_delivery_streams()
    out['special'] = special
    out['flushed'] = log_keys(flush())
    out['events'] = []
    for m in drain(q, 1 + len(out['flushed'])):
        ev = json.loads(m['Body'])
        key = urllib.parse.unquote_plus(ev['Records'][0]['s3']['object']['key'])
        obj = s3.get_object(Bucket=bucket, Key=key)
        out['events'].append({'body': m['Body'], 'key': key, 'size': len(obj['Body'].read()), 'etag': obj['ETag']})
    out['after'] = [m['Body'] for m in receive(q, wait=0)]
    return out


def trailtopic():
    topic = ct.describe_trails()['trailList'][0]['SnsTopicARN']
    q, arn = queue('boto3-trail-notices')
    sub = sns.subscribe(TopicArn=topic, Protocol='sqs', Endpoint=arn, ReturnSubscriptionArn=True)['SubscriptionArn']
    out = {'topic': topic, 'subscription': sub}
    fh.list_delivery_streams()
    out['flushed'] = log_keys(flush())
    out['envelopes'] = [m['Body'] for m in drain(q, len(out['flushed']))]
    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName='RawMessageDelivery', AttributeValue='true')
    out['subAttrs'] = sns.get_subscription_attributes(SubscriptionArn=sub)['Attributes']
    fh.list_delivery_streams()
    out['flushedRaw'] = log_keys(flush())
    out['raw'] = [m['Body'] for m in drain(q, len(out['flushedRaw']))]
    return out


def longpoll():
    q, _ = queue('boto3-long-poll')
    sender = boto3.client('sqs', endpoint_url=url)

    def send():
        time.sleep(1)  # let the receive below start waiting
        sender.send_message(QueueUrl=q, MessageBody='wake up')

    th = threading.Thread(target=send)
    th.start()
    start = time.monotonic()
    got = sqs.receive_message(QueueUrl=q, WaitTimeSeconds=5).get('Messages', [])
    took = time.monotonic() - start
    th.join()
    for m in got:
        sqs.delete_message(QueueUrl=q, ReceiptHandle=m['ReceiptHandle'])
    empty = sqs.receive_message(QueueUrl=q, WaitTimeSeconds=1).get('Messages', [])
    return {'got': [m['Body'] for m in got], 'seconds': took, 'empty': [m['Body'] for m in empty]}


def visibility():
    q, _ = queue('boto3-visibility')
    sent = sqs.send_message(QueueUrl=q, MessageBody='come back')['MessageId']
    first = receive(q, wait=0, VisibilityTimeout=1, AttributeNames=['ApproximateReceiveCount'])
    # Not deleted: it comes back once its visibility timeout ends.
    second = receive(q, wait=10, AttributeNames=['ApproximateReceiveCount'])
    for m in second:
        sqs.delete_message(QueueUrl=q, ReceiptHandle=m['ReceiptHandle'])
    return {'sent': sent, 'first': first, 'second': second}


def redrive():
    dlq, dlq_arn = queue('boto3-dlq')
    q, arn = queue('boto3-redriven', RedrivePolicy=json.dumps({'deadLetterTargetArn': dlq_arn, 'maxReceiveCount': '1'}))
    sent = sqs.send_message(QueueUrl=q, MessageBody='poison')['MessageId']
    first = receive(q, wait=0, VisibilityTimeout=1)
    # The visibility timeout ends during this wait: the message has been
    # received maxReceiveCount times, so it moves to the dead-letter queue.
    second = receive(q, wait=3)
    dead = receive(dlq, wait=5, AttributeNames=['All'])
    sources = sqs.list_dead_letter_source_queues(QueueUrl=dlq).get('queueUrls', [])
    return {'sent': sent, 'queueUrl': q, 'queueArn': arn, 'first': first, 'second': second, 'dead': dead, 'sources': sources}


def errors():
    q, arn = queue('boto3-errors')
    missing = q.rsplit('/', 1)[0] + '/boto3-no-such-queue'
    out = {
        'getQueueUrl': code(sqs.get_queue_url, QueueName='boto3-no-such-queue'),
        'sendMissing': code(sqs.send_message, QueueUrl=missing, MessageBody='x'),
        'badHandle': code(sqs.delete_message, QueueUrl=q, ReceiptHandle='not-a-receipt-handle'),
        'batch11': code(sqs.send_message_batch, QueueUrl=q,
                        Entries=[{'Id': 'm%d' % i, 'MessageBody': 'x'} for i in range(11)]),
    }
    sqs.set_queue_attributes(QueueUrl=q, Attributes={'MaximumMessageSize': '1024'})
    out['tooBig'] = code(sqs.send_message, QueueUrl=q, MessageBody='x' * 2048)
    out['badEvent'] = code(s3.put_bucket_notification_configuration, Bucket=bucket, NotificationConfiguration={
        'QueueConfigurations': [{'QueueArn': arn, 'Events': ['s3:ObjectCreated:Bogus']}]})
    out['missingQueue'] = code(s3.put_bucket_notification_configuration, Bucket=bucket, NotificationConfiguration={
        'QueueConfigurations': [{'QueueArn': arn.rsplit(':', 1)[0] + ':boto3-no-such-queue', 'Events': ['s3:ObjectCreated:*']}]})
    out['missingTopic'] = code(sns.publish, TopicArn=arn.replace(':sqs:', ':sns:'), Message='x')
    return out


def batches():
    """Batch answers in the query protocol: botocore drops entries whose
    elements it does not recognize, so only the ids tell."""
    q, _ = queue('boto3-batches')
    strip = lambda r: {'Successful': r.get('Successful', []), 'Failed': r.get('Failed', [])}
    out = {'send': strip(sqs.send_message_batch(QueueUrl=q, Entries=[
        {'Id': 'a', 'MessageBody': '1'}, {'Id': 'b', 'MessageBody': '2'}, {'Id': 'c', 'MessageBody': '3', 'DelaySeconds': 901}]))}
    msgs = receive(q, wait=1)
    bad = {'Id': 'bad', 'ReceiptHandle': 'not-a-receipt-handle'}
    out['change'] = strip(sqs.change_message_visibility_batch(QueueUrl=q, Entries=[
        {'Id': 'm%d' % i, 'ReceiptHandle': m['ReceiptHandle'], 'VisibilityTimeout': 0} for i, m in enumerate(msgs)] + [dict(bad, VisibilityTimeout=0)]))
    msgs = receive(q, wait=1)
    out['delete'] = strip(sqs.delete_message_batch(QueueUrl=q, Entries=[
        {'Id': 'm%d' % i, 'ReceiptHandle': m['ReceiptHandle']} for i, m in enumerate(msgs)] + [bad]))
    out['left'] = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=['All'])['Attributes']
    return out


def attributes():
    # argv[4]: {"body": ..., "attrs": {name: {"DataType": ..., "StringValue" or
    # "BinaryValue" (base64)}}}, the test's message.
    msg = json.loads(sys.argv[4])
    body, attrs = msg['body'], msg['attrs']
    for a in attrs.values():
        if 'BinaryValue' in a:
            a['BinaryValue'] = base64.b64decode(a['BinaryValue'])
    q, _ = queue('boto3-attributes')
    sent = sqs.send_message(QueueUrl=q, MessageBody=body, MessageAttributes=attrs)
    batch = sqs.send_message_batch(QueueUrl=q, Entries=[
        {'Id': 'one', 'MessageBody': body, 'MessageAttributes': attrs}])
    sent.pop('ResponseMetadata', None)
    got = drain(q, 2, MessageAttributeNames=['All'])
    return {'sent': sent, 'batch': batch.get('Successful', []), 'failed': batch.get('Failed', []),
            'received': jsonable(got)}


print(json.dumps(globals()[section]()))
