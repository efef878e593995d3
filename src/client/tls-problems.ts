/** TLS failures said in words: what the user should do about them. */

/** A TLS failure that has a plain explanation: a wrong port, or a missing client certificate. */
export function explainTlsFailure(error: NodeJS.ErrnoException): string | undefined {
  const code = error.code ?? '';
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' || code === 'ERR_SSL_HTTP_REQUEST' || code === 'ERR_SSL_RECORD_LAYER_FAILURE') {
    return 'not a TLS server (or the wrong port)';
  }
  if (code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' || code === 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE') {
    return 'the server requires a client certificate: use --cert and --key';
  }
  return undefined;
}
