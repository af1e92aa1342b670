/*
 * test_aws_xml.c: the XML reader for query-protocol answers (aws/xml.c):
 * STS's own answer shapes, entities, CDATA, comments, path semantics,
 * and what it refuses (DOCTYPE, entity declarations, malformed nesting,
 * depth beyond its cap).
 */
#include "cmfa_test.h"

#include "cmfa_aws.h"

#define SENTINEL "untouched"

/* The text at path, or "ERR:<code>"; checks out is untouched on error. */
static const char *
text(const char *xml, const char *path)
{
	static char out[512];
	enum cmfa_err e;

	snprintf(out, sizeof(out), "%s", SENTINEL);
	e = cmfa_xml_text(xml, strlen(xml), path, out, sizeof(out));
	if (e != CMFA_OK) {
		if (strcmp(out, SENTINEL) != 0)
			return "ERR:output written on failure";
		snprintf(out, sizeof(out), "ERR:%s",
		    e == CMFA_ERR_PARSE          ? "PARSE"
		        : e == CMFA_ERR_NOTFOUND ? "NOTFOUND"
		        : e == CMFA_ERR_TOOBIG   ? "TOOBIG"
		        : e == CMFA_ERR_INVAL    ? "INVAL"
		                                 : "OTHER");
	}
	return out;
}

static const char assume_role[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<AssumeRoleResponse "
    "xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
    "  <AssumeRoleResult>\n"
    "    <SourceIdentity>Alice</SourceIdentity>\n"
    "    <AssumedRoleUser>\n"
    "      <Arn>arn:aws:sts::123456789012:assumed-role/demo/s</Arn>\n"
    "      <AssumedRoleId>ARO123EXAMPLE123:s</AssumedRoleId>\n"
    "    </AssumedRoleUser>\n"
    "    <Credentials>\n"
    "      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>\n"
    "      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCY</SecretAccessKey>\n"
    "      <SessionToken>AQoDYXdzEPT//////////wEXAMPLEtc764=</SessionToken>\n"
    "      <Expiration>2019-11-09T13:34:41Z</Expiration>\n"
    "    </Credentials>\n"
    "    <PackedPolicySize>6</PackedPolicySize>\n"
    "  </AssumeRoleResult>\n"
    "  <ResponseMetadata>\n"
    "    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>\n"
    "  </ResponseMetadata>\n"
    "</AssumeRoleResponse>\n";

static const char error_response[] =
    "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
    "  <Error>\n"
    "    <Type>Sender</Type>\n"
    "    <Code>AccessDenied</Code>\n"
    "    <Message>User: arn:aws:iam::123456789012:user/mock is not "
    "authorized to perform: sts:AssumeRole on resource: "
    "arn:aws:iam::123456789012:role/x &amp; more</Message>\n"
    "  </Error>\n"
    "  <RequestId>4e1f1ac8-0c8c-4b45-a2bc-bd7e0b3e7a1f</RequestId>\n"
    "</ErrorResponse>\n";

static void
sts_shapes(void)
{
	CHECK_STR_EQ(text(assume_role,
	                 "AssumeRoleResult/Credentials/"
	                 "AccessKeyId"),
	    "ASIAIOSFODNN7EXAMPLE");
	CHECK_STR_EQ(text(assume_role,
	                 "AssumeRoleResult/Credentials/"
	                 "Expiration"),
	    "2019-11-09T13:34:41Z");
	CHECK_STR_EQ(text(assume_role, "ResponseMetadata/RequestId"),
	    "c6104cbe-af31-11e0-8154-cbc7ccf896c7");
	CHECK_STR_EQ(text(assume_role, "AssumeRoleResult/Credentials/Nope"),
	    "ERR:NOTFOUND");
	/* paths start below the root, whatever its name */
	CHECK_STR_EQ(text(assume_role, "AssumeRoleResponse/AssumeRoleResult"),
	    "ERR:NOTFOUND");
	CHECK_STR_EQ(text(error_response, "Error/Code"), "AccessDenied");
	CHECK_STR_EQ(text(error_response, "Error/Message"),
	    "User: arn:aws:iam::123456789012:user/mock is not authorized to "
	    "perform: sts:AssumeRole on resource: "
	    "arn:aws:iam::123456789012:role/x & more");
}

static void
characters(void)
{
	CHECK_STR_EQ(text("<r><a>&lt;&gt;&amp;&quot;&apos;</a></r>", "a"),
	    "<>&\"'");
	CHECK_STR_EQ(text("<r><a>&#65;&#x42;&#xe9;&#x1F600;</a></r>", "a"),
	    "AB\xc3\xa9\xf0\x9f\x98\x80");
	CHECK_STR_EQ(text("<r><a>x<![CDATA[<&>]]>y</a></r>", "a"), "x<&>y");
	CHECK_STR_EQ(text("<r><a>1<!-- c -->2<?pi x?>3</a></r>", "a"), "123");
	CHECK_STR_EQ(text("<r><a>1\r\n2\r3</a></r>", "a"), "1\n2\n3");
	CHECK_STR_EQ(text("<r><a>&#13;</a></r>", "a"), "\r");
	CHECK_STR_EQ(text("\xef\xbb\xbf<r><a>v</a></r>", "a"), "v");
	CHECK_STR_EQ(text("<r><a>&nbsp;</a></r>", "a"), "ERR:PARSE");
	CHECK_STR_EQ(text("<r><a>&amp</a></r>", "a"), "ERR:PARSE");
	CHECK_STR_EQ(text("<r><a>a & b</a></r>", "a"), "ERR:PARSE");
	CHECK_STR_EQ(text("<r><a>&#0;</a></r>", "a"), "ERR:PARSE");
	CHECK_STR_EQ(text("<r><a>&#xD800;</a></r>", "a"), "ERR:PARSE");
	CHECK_STR_EQ(text("<r><a>&#x110000;</a></r>", "a"), "ERR:PARSE");
	CHECK_STR_EQ(text("<r><a>\x01</a></r>", "a"), "ERR:PARSE");
	CHECK_STR_EQ(text("<r><a>\xc3</a></r>", "a"), "ERR:PARSE");
}

static void
paths(void)
{
	/* namespace prefixes are ignored */
	CHECK_STR_EQ(text("<s:r xmlns:s=\"u\"><s:a><s:b>1</s:b></s:a></s:r>",
	                 "a/b"),
	    "1");
	/* the first element the whole path reaches, in document order */
	CHECK_STR_EQ(text("<r><a><b>1</b></a><a><b>2</b></a></r>", "a/b"), "1");
	CHECK_STR_EQ(text("<r><a><c>0</c></a><a><b>2</b></a></r>", "a/b"), "2");
	CHECK_STR_EQ(text("<r><x><a><b>1</b></a></x><a><b>2</b></a></r>",
	                 "a/b"),
	    "2");
	/* an empty element, and the text of everything inside */
	CHECK_STR_EQ(text("<r><a/></r>", "a"), "");
	CHECK_STR_EQ(text("<r><a>1<b>2</b>3</a></r>", "a"), "123");
	/* attributes are skipped */
	CHECK_STR_EQ(text("<r k='v'><a x=\"1&amp;2\" y = 'z'>t</a></r>", "a"),
	    "t");
	CHECK_STR_EQ(text("<r><a/></r>", ""), "ERR:INVAL");
	CHECK_STR_EQ(text("<r><a/></r>", "a//b"), "ERR:INVAL");
}

static void
refused(void)
{
	CHECK_STR_EQ(text("<!DOCTYPE r [<!ENTITY x \"y\">]><r><a>&x;</a></r>",
	                 "a"),
	    "ERR:PARSE");
	CHECK_STR_EQ(text("<r><!ENTITY x \"y\"><a>1</a></r>", "a"),
	    "ERR:PARSE");
	CHECK_STR_EQ(text("<r><a>1</b></r>", "a"), "ERR:PARSE");
	CHECK_STR_EQ(text("<r><a>1</a>", "a"), "ERR:PARSE");
	CHECK_STR_EQ(text("<r><a>1</a></r><r/>", "a"), "ERR:PARSE");
	CHECK_STR_EQ(text("<r><a>1</a></r>junk", "a"), "ERR:PARSE");
	CHECK_STR_EQ(text("junk<r><a>1</a></r>", "a"), "ERR:PARSE");
	CHECK_STR_EQ(text("<r><a x=\"<\">1</a></r>", "a"), "ERR:PARSE");
	CHECK_STR_EQ(text("<r><a x=1>1</a></r>", "a"), "ERR:PARSE");
	CHECK_STR_EQ(text("<r><a x=\"1\"y=\"2\">1</a></r>", "a"), "ERR:PARSE");
	CHECK_STR_EQ(text("<r><![CDATA[x</r>", "a"), "ERR:PARSE");
	CHECK_STR_EQ(text("<r><!-- x</r>", "a"), "ERR:PARSE");
	CHECK_STR_EQ(text("<![CDATA[x]]><r/>", "a"), "ERR:PARSE");
	CHECK_STR_EQ(text("", "a"), "ERR:PARSE");
	CHECK_STR_EQ(text("   ", "a"), "ERR:PARSE");
	CHECK_STR_EQ(text("<1r/>", "a"), "ERR:PARSE");
}

static void
caps(void)
{
	char deep[32 * 7 + 64], out[4] = "abc";
	size_t i, n = 0;

	/* 32 levels are fine, 33 are not */
	for (i = 0; i < 32; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "<a>");
	for (i = 0; i < 32; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "</a>");
	CHECK_STR_EQ(text(deep, "a/a"), "");
	n = 0;
	for (i = 0; i < 33; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "<a>");
	for (i = 0; i < 33; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "</a>");
	CHECK_STR_EQ(text(deep, "a"), "ERR:TOOBIG");
	/* a value that does not fit leaves out alone */
	CHECK_INT_EQ(cmfa_xml_text("<r><a>1234</a></r>", 18, "a", out,
	                 sizeof(out)),
	    CMFA_ERR_TOOBIG);
	CHECK_STR_EQ(out, "abc");
	CHECK_INT_EQ(cmfa_xml_text("<r><a>123</a></r>", 17, "a", out,
	                 sizeof(out)),
	    CMFA_OK);
	CHECK_STR_EQ(out, "123");
	/* an embedded NUL is refused, not read as the end */
	CHECK_INT_EQ(cmfa_xml_text("<r><a>1\0002</a></r>", 17, "a", out,
	                 sizeof(out)),
	    CMFA_ERR_PARSE);
}

TEST_MAIN_BEGIN("test_aws_xml")
	RUN(sts_shapes);
	RUN(characters);
	RUN(paths);
	RUN(refused);
	RUN(caps);
TEST_MAIN_END
