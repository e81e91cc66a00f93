package media

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/encrypt"
)

// s3Bucket keeps variants in an S3 bucket (AWS S3 or an S3-compatible store).
type s3Bucket struct {
	c      *minio.Client
	bucket string
	sse    encrypt.ServerSide
}

// openS3 opens s3://bucket with these query parameters, all optional:
//
//   - region: the bucket's region (else AWS_REGION or AWS_DEFAULT_REGION; else asked of the
//     store);
//   - endpoint: an S3-compatible store, https://host[:port] or http://host[:port] (default
//     AWS S3);
//   - use_path_style (or s3ForcePathStyle, hostname_immutable): true puts the bucket in the
//     path, false in the host name; unset picks the host name on AWS and the path elsewhere;
//   - disable_https: true speaks plain HTTP to the endpoint;
//   - anonymous: true signs no request;
//   - profile: the profile of the shared credentials file to use;
//   - dualstack, accelerate: true uses AWS's dual-stack or transfer acceleration endpoints;
//   - ssetype (AES256 or aws:kms) and kmskeyid: server-side encryption of what is written;
//   - awssdk: ignored.
//
// Credentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, else
// the shared credentials file (AWS_SHARED_CREDENTIALS_FILE, ~/.aws/credentials, with
// AWS_PROFILE), else the instance's or task's role (EC2, ECS, EKS web identity).
func openS3(u *url.URL) (*s3Bucket, error) {
	if u.Host == "" {
		return nil, errors.New("an s3 URL names its bucket: s3://bucket?region=...")
	}
	opts := &minio.Options{
		Region: cmp.Or(os.Getenv("AWS_REGION"), os.Getenv("AWS_DEFAULT_REGION")),
		Secure: true,
	}
	endpoint, profile := "s3.amazonaws.com", ""
	var anonymous, plainHTTP, dualstack, accelerate bool
	var sseType, kmsKey string
	for param, values := range u.Query() {
		v := values[0]
		var err error
		switch param {
		case "region":
			opts.Region = v
		case "endpoint":
			endpoint, opts.Secure, err = parseEndpoint(v)
		case "use_path_style", "s3ForcePathStyle", "hostname_immutable":
			var path bool
			if path, err = strconv.ParseBool(v); err == nil {
				opts.BucketLookup = minio.BucketLookupDNS
				if path {
					opts.BucketLookup = minio.BucketLookupPath
				}
			}
		case "disable_https":
			plainHTTP, err = strconv.ParseBool(v)
		case "anonymous":
			anonymous, err = strconv.ParseBool(v)
		case "profile":
			profile = v
		case "dualstack":
			dualstack, err = strconv.ParseBool(v)
		case "accelerate":
			accelerate, err = strconv.ParseBool(v)
		case "ssetype":
			sseType = v
		case "kmskeyid":
			kmsKey = v
		case "awssdk":
		default:
			return nil, fmt.Errorf("unknown query parameter %q", param)
		}
		if err != nil {
			return nil, fmt.Errorf("invalid value for %s: %w", param, err)
		}
	}
	if plainHTTP {
		opts.Secure = false // whatever the endpoint's scheme says
	}
	b := &s3Bucket{bucket: u.Host}
	switch {
	case sseType == "":
	case strings.EqualFold(sseType, "AES256"):
		b.sse = encrypt.NewSSE()
	case strings.EqualFold(sseType, "aws:kms"):
		var err error
		if b.sse, err = encrypt.NewSSEKMS(kmsKey, nil); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("invalid value for ssetype: %q (AES256 or aws:kms)", sseType)
	}
	if anonymous {
		opts.Creds = credentials.NewStaticV4("", "", "")
	} else {
		opts.Creds = credentials.NewChainCredentials([]credentials.Provider{
			&credentials.EnvAWS{},
			&credentials.FileAWSCredentials{Profile: profile},
			&credentials.IAM{},
		})
	}
	c, err := minio.New(endpoint, opts) // connects on its first request
	if err != nil {
		return nil, err
	}
	c.SetS3EnableDualstack(dualstack)
	if accelerate {
		c.SetS3TransferAccelerate("s3-accelerate.amazonaws.com")
	}
	b.c = c
	return b, nil
}

// parseEndpoint splits an endpoint, https://host[:port], http://host[:port] or host[:port]
// (HTTPS), into its host and whether it is HTTPS.
func parseEndpoint(s string) (string, bool, error) {
	if !strings.Contains(s, "://") {
		return s, true, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", false, err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") != "" {
		return "", false, fmt.Errorf("%q is not http(s)://host[:port]", s)
	}
	return u.Host, u.Scheme == "https", nil
}

// notFound turns the store's "no such key" into errNotFound.
func notFound(err error) error {
	if r := minio.ToErrorResponse(err); r.Code == "NoSuchKey" || r.StatusCode == http.StatusNotFound {
		return errNotFound
	}
	return err
}

func (b *s3Bucket) put(ctx context.Context, key, contentType, cacheControl string, body []byte) error {
	_, err := b.c.PutObject(ctx, b.bucket, key, bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{
		ContentType:          contentType,
		CacheControl:         cacheControl,
		ServerSideEncryption: b.sse,
	})
	return err
}

func (b *s3Bucket) stat(ctx context.Context, key string) (attrs, error) {
	info, err := b.c.StatObject(ctx, b.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return attrs{}, notFound(err)
	}
	etag := strings.Trim(info.ETag, `"`)
	if etag == "" {
		etag = modTag(info.Size, info.LastModified)
	}
	return attrs{contentType: info.ContentType, etag: etag}, nil
}

func (b *s3Bucket) read(ctx context.Context, key string) ([]byte, error) {
	obj, err := b.c.GetObject(ctx, b.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, notFound(err)
	}
	defer obj.Close()
	data, err := io.ReadAll(obj)
	if err != nil {
		return nil, notFound(err)
	}
	return data, nil
}

func (b *s3Bucket) list(ctx context.Context, prefix string, recursive bool) ([]string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the listing's goroutine on an early return
	var keys []string
	for obj := range b.c.ListObjects(ctx, b.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: recursive}) {
		if obj.Err != nil {
			return keys, obj.Err
		}
		if !strings.HasSuffix(obj.Key, "/") { // not a common prefix (a "folder")
			keys = append(keys, obj.Key)
		}
	}
	return keys, nil
}

func (b *s3Bucket) remove(ctx context.Context, key string) error {
	if err := b.c.RemoveObject(ctx, b.bucket, key, minio.RemoveObjectOptions{}); notFound(err) != errNotFound {
		return err
	}
	return nil
}
