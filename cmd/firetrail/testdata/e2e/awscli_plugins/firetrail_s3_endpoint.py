"""awscli plugin: send S3 requests to $AWS_ENDPOINT_URL_S3.

`aws cloudtrail validate-logs` creates its S3 clients from a region alone,
so --endpoint-url reaches only its CloudTrail client. awscli 2.13 and later
honour AWS_ENDPOINT_URL_S3 by themselves; older ones (Debian 12 ships 2.9)
do not. This plugin does the same for them: before a request to S3 is
signed it replaces scheme and host with the endpoint's, keeping the
(path-style) path and query. When the variable is unset, or the request
already goes there, it changes nothing.

Enable it in the awscli config file:

    [plugins]
    cli_legacy_plugin_path = <this directory>
    firetrail_s3_endpoint = firetrail_s3_endpoint
"""

import os
from urllib.parse import urlsplit, urlunsplit


def _to_endpoint(request, **kwargs):
    endpoint = os.environ.get('AWS_ENDPOINT_URL_S3')
    if not endpoint:
        return
    e = urlsplit(endpoint)
    u = urlsplit(request.url)
    request.url = urlunsplit((e.scheme, e.netloc, u.path, u.query, u.fragment))


def awscli_initialize(cli):
    cli.register('before-sign.s3', _to_endpoint)
