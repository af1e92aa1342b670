# Provenance: the example "To configure user pool MFA and WebAuthn" of the
# AWS CLI v2 reference page of set-user-pool-mfa-config,
# https://awscli.amazonaws.com/v2/documentation/api/latest/reference/cognito-idp/set-user-pool-mfa-config.html
# (../shared/reference/seeds/001_a0dd507a95fd14c1.txt), copied verbatim
# below the comments; its documented output is seed001-output.json, also
# verbatim.  tests/sh/cli-seed.sh runs it with "aws cognito-idp"
# replaced by "cognito-mfa --store DIR --config FILE".
aws cognito-idp set-user-pool-mfa-config \
    --user-pool-id us-west-2_EXAMPLE \
    --sms-mfa-configuration "SmsAuthenticationMessage=\"Your OTP for MFA or sign-in: use {####}.\",SmsConfiguration={SnsCallerArn=arn:aws:iam::123456789012:role/service-role/test-SMS-Role,ExternalId=a1b2c3d4-5678-90ab-cdef-EXAMPLE11111,SnsRegion=us-west-2}" \
    --software-token-mfa-configuration Enabled=true \
    --email-mfa-configuration "Message=\"Your OTP for MFA or sign-in: use {####}\",Subject=\"OTP test\"" \
    --mfa-configuration OPTIONAL \
    --web-authn-configuration RelyingPartyId=auth.example.com,UserVerification=preferred
