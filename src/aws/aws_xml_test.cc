// Tests of the AWS XML reader and the error/credential parsers on the shared fixtures.
#include "aws/aws_xml.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/time/time.h"
#include "aws/aws_credentials.h"
#include "aws/aws_error.h"
#include "tests/fake_aws_server.h"

namespace creditbot {
namespace {

using ::creditbot::testing::FakeAwsServer;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(AwsXml, ReadsS3ErrorFixtures) {
  for (const auto& [file, code] : std::vector<std::pair<std::string, std::string>>{
           {"s3-error-NoSuchKey.xml", "NoSuchKey"},
           {"s3-error-PreconditionFailed.xml", "PreconditionFailed"},
           {"s3-error-ConditionalRequestConflict.xml", "ConditionalRequestConflict"},
           {"s3-error-SignatureDoesNotMatch.xml", "SignatureDoesNotMatch"},
           {"s3-error-XAmzContentSHA256Mismatch.xml", "XAmzContentSHA256Mismatch"}}) {
    std::optional<AwsXmlError> error = ParseAwsXmlError(FakeAwsServer::Fixture(file));
    ASSERT_TRUE(error.has_value()) << file;
    EXPECT_EQ(error->code, code);
    EXPECT_FALSE(error->message.empty());
    EXPECT_FALSE(error->request_id.empty());
  }
  std::optional<AwsXmlError> error = ParseAwsXmlError(FakeAwsServer::Fixture("s3-error-NoSuchKey.xml"));
  EXPECT_EQ(error->message, "The specified key does not exist.");
  EXPECT_EQ(error->request_id, "4442587FB7D0A2F9");
}

TEST(AwsXml, DecodesCharacterReferences) {
  absl::StatusOr<XmlElement> root = ParseXml(FakeAwsServer::Fixture("s3-error-SignatureDoesNotMatch.xml"));
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_THAT(root->ChildText("StringToSign"), HasSubstr("AWS4-HMAC-SHA256\n20240601T121500Z\n"));
}

TEST(AwsXml, ReadsTheStsErrorEnvelope) {
  std::optional<AwsXmlError> error =
      ParseAwsXmlError(FakeAwsServer::Fixture("sts-error-InvalidIdentityToken.xml"));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, "InvalidIdentityToken");
  EXPECT_EQ(error->message, "Incorrect token audience");
  EXPECT_EQ(error->request_id, "c6104cbe-af31-11e0-8154-cbc7ccf896c8");
}

TEST(AwsXml, StripsNamespacePrefixes) {
  absl::StatusOr<XmlElement> root = ParseXml("<s3:Error xmlns:s3=\"x\"><s3:Code>A</s3:Code></s3:Error>");
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->name, "Error");
  EXPECT_EQ(root->ChildText("Code"), "A");
}

TEST(AwsXml, AnythingElseIsNotAnError) {
  EXPECT_FALSE(ParseAwsXmlError("").has_value());
  EXPECT_FALSE(ParseAwsXmlError("<html><body>502 Bad Gateway</body></html>").has_value());
  EXPECT_FALSE(ParseAwsXmlError("<Error><Message>no code</Message></Error>").has_value());
  EXPECT_FALSE(ParseAwsXmlError("<Error><Code>x</Code>").has_value());  // truncated
}

TEST(AwsXml, RefusesDoctypesDeepNestingAndMalformedInput) {
  const std::string laughs =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\">]>"
      "<Error><Code>&lol2;</Code></Error>";
  absl::StatusOr<XmlElement> doctype = ParseXml(laughs);
  EXPECT_EQ(doctype.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(doctype.status().message(), HasSubstr("DOCTYPE"));
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "<a>";
  for (int i = 0; i < 100; ++i) deep += "</a>";
  EXPECT_EQ(ParseXml(deep).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseXml("<a><b></a>").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseXml("").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(StsResponse, ReadsTheAssumeRoleWithWebIdentityFixture) {
  absl::StatusOr<AwsCredentials> credentials = ParseAssumeRoleWithWebIdentityResponse(
      FakeAwsServer::Fixture("sts-assumerolewithwebidentity-response.xml"));
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->access_key_id, "ASIAEXAMPLEEXAMPLE03");
  EXPECT_EQ(credentials->secret_access_key, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
  EXPECT_EQ(credentials->session_token, "IQoJb3JpZ2luX2VjEXAMPLE-SESSION-TOKEN");
  EXPECT_EQ(credentials->expiration,
            absl::FromCivil(absl::CivilSecond(2024, 6, 1, 13, 0, 0), absl::UTCTimeZone()));
}

TEST(StsResponse, MissingFieldsAreNamedWithoutValues) {
  const std::string body =
      "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
      "<AccessKeyId>ASIAX</AccessKeyId><SecretAccessKey>TOPSECRET</SecretAccessKey>"
      "<Expiration>2024-06-01T13:00:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult>"
      "</AssumeRoleWithWebIdentityResponse>";
  absl::StatusOr<AwsCredentials> credentials = ParseAssumeRoleWithWebIdentityResponse(body);
  EXPECT_EQ(credentials.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(credentials.status().message(), HasSubstr("SessionToken"));
  EXPECT_THAT(credentials.status().message(), Not(HasSubstr("TOPSECRET")));
  EXPECT_FALSE(
      ParseAssumeRoleWithWebIdentityResponse(FakeAwsServer::Fixture("sts-error-InvalidIdentityToken.xml"))
          .ok());
}

TEST(AwsCredentialsJson, ReadsTheContainerAndImdsFixtures) {
  absl::StatusOr<AwsCredentials> container =
      ParseCredentialsJson(FakeAwsServer::Fixture("credentials-container-endpoint-response.json"));
  ASSERT_TRUE(container.ok()) << container.status();
  EXPECT_EQ(container->access_key_id, "ASIAEXAMPLEEXAMPLE01");
  EXPECT_EQ(container->session_token, "IQoJb3JpZ2luX2VjEXAMPLE-SESSION-TOKEN");
  EXPECT_EQ(container->expiration,
            absl::FromCivil(absl::CivilSecond(2024, 6, 1, 18, 15, 0), absl::UTCTimeZone()));
  absl::StatusOr<AwsCredentials> imds =
      ParseCredentialsJson(FakeAwsServer::Fixture("credentials-imds-role-response.json"));
  ASSERT_TRUE(imds.ok()) << imds.status();
  EXPECT_EQ(imds->access_key_id, "ASIAEXAMPLEEXAMPLE02");
}

TEST(AwsCredentialsJson, RefusesIncompleteOrFailedAnswersWithoutEchoingSecrets) {
  absl::StatusOr<AwsCredentials> missing = ParseCredentialsJson(
      R"({"AccessKeyId":"A","SecretAccessKey":"TOPSECRET","Expiration":"2024-06-01T18:15:00Z"})");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(missing.status().message(), HasSubstr("Token"));
  EXPECT_THAT(missing.status().message(), Not(HasSubstr("TOPSECRET")));
  EXPECT_FALSE(ParseCredentialsJson(R"({"Code":"Failure","AccessKeyId":"A"})").ok());
  EXPECT_FALSE(ParseCredentialsJson("not json TOPSECRET").ok());
  EXPECT_THAT(ParseCredentialsJson("not json TOPSECRET").status().message(), Not(HasSubstr("TOPSECRET")));
}

TEST(AwsJsonError, CutsNamespacedTypesAndReadsEitherMessageSpelling) {
  HttpResponse response;
  response.status = 400;
  response.body = FakeAwsServer::Fixture("secretsmanager-error-namespaced-type.json");
  AwsError error = AwsErrorFromJsonResponse(response);
  EXPECT_EQ(error.code, "ResourceNotFoundException");
  EXPECT_EQ(error.message, "Secrets Manager can't find the specified secret.");
  response.body = FakeAwsServer::Fixture("secretsmanager-error-AccessDeniedException.json");
  EXPECT_EQ(AwsErrorFromJsonResponse(response).code, "AccessDeniedException");
  response.body = FakeAwsServer::Fixture("sagemaker-error-ThrottlingException.json");
  EXPECT_TRUE(IsRetryableAwsError(AwsErrorFromJsonResponse(response)));
  response.body = "";
  response.headers = {{"x-amzn-errortype", "ThrottlingException:http://internal"}};
  EXPECT_EQ(AwsErrorFromJsonResponse(response).code, "ThrottlingException");
  response.headers.clear();
  response.status = 503;
  EXPECT_EQ(AwsErrorFromJsonResponse(response).code, "ServiceUnavailable");
}

}  // namespace
}  // namespace creditbot
