"""S3's error codes, with the HTTP status and default message AWS answers them with."""

from __future__ import annotations

from nubes.errors import ServiceError


class S3Error(ServiceError):
    """An S3 error; ``default_message`` is AWS's wording when the raiser gives none."""


def _error(code: str, status: int, message: str) -> type[S3Error]:
    attrs = {"code": code, "status": status, "default_message": message}
    return type(code, (S3Error,), attrs)


AccessDenied = _error("AccessDenied", 403, "Access Denied")
AccessControlListNotSupported = _error(
    "AccessControlListNotSupported", 400, "The bucket does not allow ACLs"
)
AccessForbidden = _error("AccessForbidden", 403, "Access Forbidden")
BadRequest = _error("BadRequest", 400, "Bad Request")
BadDigest = _error(
    "BadDigest", 400, "The Content-MD5 you specified did not match what we received."
)
BucketAlreadyExists = _error(
    "BucketAlreadyExists",
    409,
    "The requested bucket name is not available. The bucket namespace is shared by all "
    "users of the system. Please select a different name and try again.",
)
BucketAlreadyOwnedByYou = _error(
    "BucketAlreadyOwnedByYou",
    409,
    "Your previous request to create the named bucket succeeded and you already own it.",
)
BucketNotEmpty = _error("BucketNotEmpty", 409, "The bucket you tried to delete is not empty")
EntityTooLarge = _error(
    "EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed size"
)
EntityTooSmall = _error(
    "EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed size"
)
IllegalLocationConstraintException = _error(
    "IllegalLocationConstraintException",
    400,
    "The unspecified location constraint is incompatible for the region specific "
    "endpoint this request was sent to.",
)
IllegalVersioningConfiguration = _error(
    "IllegalVersioningConfigurationException",
    400,
    "The Versioning element must be specified",
)
InvalidAccessKeyId = _error(
    "InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records."
)
InvalidArgument = _error("InvalidArgument", 400, "Invalid Argument")
InvalidBucketAclWithObjectOwnership = _error(
    "InvalidBucketAclWithObjectOwnership",
    400,
    "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
)
InvalidBucketName = _error("InvalidBucketName", 400, "The specified bucket is not valid.")
InvalidDigest = _error("InvalidDigest", 400, "The Content-MD5 you specified is not valid.")
InvalidLocationConstraint = _error(
    "InvalidLocationConstraint", 400, "The specified location-constraint is not valid"
)
InvalidPolicyDocument = _error(
    "InvalidPolicyDocument",
    400,
    "The content of the form does not meet the conditions specified in the policy document.",
)
InvalidPart = _error(
    "InvalidPart",
    400,
    "One or more of the specified parts could not be found. The part may not have been "
    "uploaded, or the specified entity tag may not match the part's entity tag.",
)
InvalidPartNumber = _error(
    "InvalidPartNumber", 416, "The requested partnumber is not satisfiable"
)
InvalidPartOrder = _error(
    "InvalidPartOrder",
    400,
    "The list of parts was not in ascending order. The parts list must be specified in "
    "order by part number.",
)
InvalidRange = _error("InvalidRange", 416, "The requested range is not satisfiable")
InvalidRequest = _error("InvalidRequest", 400, "Invalid Request")
InvalidStorageClass = _error(
    "InvalidStorageClass", 400, "The storage class you specified is not valid"
)
InvalidTag = _error("InvalidTag", 400, "The TagValue you have provided is invalid")
KeyTooLongError = _error("KeyTooLongError", 400, "Your key is too long")
MalformedXML = _error(
    "MalformedXML",
    400,
    "The XML you provided was not well-formed or did not validate against our published "
    "schema",
)
MalformedACLError = _error(
    "MalformedACLError",
    400,
    "The XML you provided was not well-formed or did not validate against our published "
    "schema",
)
MalformedPOSTRequest = _error(
    "MalformedPOSTRequest",
    400,
    "The body of your POST request is not well-formed multipart/form-data.",
)
MaxPostPreDataLengthExceeded = _error(
    "MaxPostPreDataLengthExceeded",
    400,
    "Your POST request fields preceeding the upload file was too large.",
)
MetadataTooLarge = _error(
    "MetadataTooLarge",
    400,
    "Your metadata headers exceed the maximum allowed metadata size.",
)
MissingSecurityHeader = _error(
    "MissingSecurityHeader", 400, "Your request was missing a required header"
)
MethodNotAllowed = _error(
    "MethodNotAllowed", 405, "The specified method is not allowed against this resource."
)
NoSuchBucket = _error("NoSuchBucket", 404, "The specified bucket does not exist")
NoSuchBucketPolicy = _error("NoSuchBucketPolicy", 404, "The bucket policy does not exist")
NoSuchLifecycleConfiguration = _error(
    "NoSuchLifecycleConfiguration", 404, "The lifecycle configuration does not exist"
)
NoSuchPublicAccessBlockConfiguration = _error(
    "NoSuchPublicAccessBlockConfiguration", 404,
    "The public access block configuration was not found",
)
NoSuchWebsiteConfiguration = _error(
    "NoSuchWebsiteConfiguration", 404,
    "The specified bucket does not have a website configuration",
)
NoSuchCORSConfiguration = _error(
    "NoSuchCORSConfiguration", 404, "The CORS configuration does not exist"
)
NoSuchKey = _error("NoSuchKey", 404, "The specified key does not exist.")
NoSuchTagSet = _error("NoSuchTagSet", 404, "The TagSet does not exist")
NoSuchUpload = _error(
    "NoSuchUpload",
    404,
    "The specified upload does not exist. The upload ID may be invalid, or the upload "
    "may have been aborted or completed.",
)
NoSuchVersion = _error(
    "NoSuchVersion", 404, "The specified version does not exist."
)
NotImplementedFeature = _error(
    "NotImplemented",
    501,
    "A header you provided implies functionality that is not implemented",
)
NotModified = _error("NotModified", 304, "Not Modified")
PreconditionFailed = _error(
    "PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold"
)
ObjectLockConfigurationNotFound = _error(
    "ObjectLockConfigurationNotFoundError", 404,
    "Object Lock configuration does not exist for this bucket",
)
OwnershipControlsNotFound = _error(
    "OwnershipControlsNotFoundError", 404, "The bucket ownership controls were not found"
)
ReplicationConfigurationNotFound = _error(
    "ReplicationConfigurationNotFoundError", 404, "The replication configuration was not found"
)
ServerSideEncryptionConfigurationNotFound = _error(
    "ServerSideEncryptionConfigurationNotFoundError", 404,
    "The server side encryption configuration was not found",
)
SignatureDoesNotMatch = _error(
    "SignatureDoesNotMatch", 403,
    "The request signature we calculated does not match the signature you provided. "
    "Check your key and signing method.",
)
