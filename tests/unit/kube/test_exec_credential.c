/* test_exec_credential.c — what an exec plugin may print: tokens,
 * certificate pairs, expiry, and each way its output can be wrong, with
 * client-go's messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "exec_plugin.h"
#include "kube_client.h"

#define V1 "client.authentication.k8s.io/v1"

static int decode(const char *text, struct exec_credential *cred, struct error *err)
{
	exec_credential_init(cred);
	return exec_credential_decode(V1, text, strlen(text), cred, err);
}

static void test_token_and_expiry(void **state)
{
	struct exec_credential cred;
	struct error err = ERROR_INIT;

	assert_int_equal(decode("{\"apiVersion\":\"" V1 "\",\"kind\":\"ExecCredential\","
				"\"status\":{\"token\":\"t0k\","
				"\"expirationTimestamp\":\"2030-01-02T03:04:05Z\"}}",
				&cred, &err),
			 0);
	assert_string_equal(cred.token, "t0k");
	assert_true(cred.expires);
	assert_int_equal(cred.expiration, 1893553445);
	assert_int_equal(cred.cert.len, 0);
	exec_credential_release(&cred);
	assert_null(cred.token);
}

static void test_certificate_pair(void **state)
{
	struct exec_credential cred;
	struct error err = ERROR_INIT;

	assert_int_equal(decode("{\"apiVersion\":\"" V1 "\",\"kind\":\"ExecCredential\","
				"\"status\":{\"clientCertificateData\":\"CERT\","
				"\"clientKeyData\":\"KEY\"}}",
				&cred, &err),
			 0);
	assert_null(cred.token);
	assert_string_equal(cred.cert.data, "CERT");
	assert_string_equal(cred.key.data, "KEY");
	assert_false(cred.expires);
	exec_credential_release(&cred);
}

static void test_wrong_outputs(void **state)
{
	static const struct {
		const char *text, *message;
	} cases[] = {
		{ "not json", "exec plugin: decoding stdout: invalid JSON at byte 0" },
		{ "{\"apiVersion\":\"" V1 "\",\"kind\":\"Pod\"}",
		  "exec plugin: decoding stdout: kind is 'Pod', not ExecCredential" },
		{ "{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":"
		  "\"ExecCredential\",\"status\":{\"token\":\"x\"}}",
		  "exec plugin is configured to use API version client.authentication.k8s.io/v1, "
		  "plugin returned version client.authentication.k8s.io/v1beta1" },
		{ "{\"apiVersion\":\"" V1 "\",\"kind\":\"ExecCredential\"}",
		  "exec plugin didn't return a status field" },
		{ "{\"apiVersion\":\"" V1 "\",\"kind\":\"ExecCredential\",\"status\":{}}",
		  "exec plugin didn't return a token or cert/key pair" },
		{ "{\"apiVersion\":\"" V1 "\",\"kind\":\"ExecCredential\","
		  "\"status\":{\"clientCertificateData\":\"C\"}}",
		  "exec plugin returned only certificate or key, not both" },
		{ "{\"apiVersion\":\"" V1 "\",\"kind\":\"ExecCredential\","
		  "\"status\":{\"token\":\"x\",\"expirationTimestamp\":\"tomorrow\"}}",
		  "exec plugin returned an invalid expirationTimestamp 'tomorrow'" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct exec_credential cred;
		struct error err = ERROR_INIT;

		assert_int_equal(decode(cases[i].text, &cred, &err), -1);
		assert_string_equal(err.msg, cases[i].message);
		assert_int_equal(err.code, KUBE_ERR_CREDENTIALS);
		assert_null(cred.token);
		exec_credential_release(&cred);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_and_expiry),
		cmocka_unit_test(test_certificate_pair),
		cmocka_unit_test(test_wrong_outputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
