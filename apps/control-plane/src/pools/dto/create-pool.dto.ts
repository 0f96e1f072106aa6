import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Matches, Min, ValidateBy } from 'class-validator';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { checkUpstream } from '@mysaas/tenancy';
import { POOL_NAME_PATTERN, POOL_NAME_RULE, POOL_STATUSES, type PoolStatus } from '@mysaas/tenancy';

/** Each upstream passes the platform's one upstream rule; the message says what is wrong. */
const IsUpstream = () =>
  ValidateBy(
    {
      name: 'isUpstream',
      validator: {
        validate: (value: unknown) => checkUpstream(value).ok,
        // With `each`, the arguments carry the whole list: name every upstream that fails.
        defaultMessage: (args) => {
          const values: unknown[] = Array.isArray(args?.value) ? args.value : [args?.value];
          const reasons = values.flatMap((value) => {
            const check = checkUpstream(value);
            return check.ok ? [] : [check.reason];
          });
          return `each upstream must be an app-server origin such as http://10.0.0.5:3201 (${reasons.join('; ')})`;
        },
      },
    },
    { each: true },
  );

export class CreatePoolDto {
  @ApiProperty({ description: `The pool’s name, which ${POOL_NAME_RULE}.`, pattern: POOL_NAME_PATTERN.source, example: 'v2' })
  @Matches(POOL_NAME_PATTERN, { message: `name ${POOL_NAME_RULE}` })
  name!: string;

  @ApiProperty({ description: 'The release of the app its servers run: new tenants get that release’s tables.', type: 'integer', minimum: 1, example: 2 })
  @IsInt({ message: 'release must be a whole number' })
  @Min(1, { message: 'release must be at least 1' })
  release!: number;

  @ApiProperty({
    description: 'Admin URL of the pool’s database server, with rights to create roles and schemas; checked before the pool is saved, and never shown again.',
    example: 'postgres://platform:secret@db-v2.internal:5432/pool_v2',
  })
  @IsString({ message: 'databaseUrl is required' })
  @Matches(/^postgres(ql)?:\/\//, { message: 'databaseUrl must be a postgres:// URL with rights to create roles and schemas' })
  databaseUrl!: string;

  @ApiProperty({ description: 'The LOGIN NOINHERIT role the pool’s app servers connect as; it must exist on the server.', pattern: '^[a-z_][a-z0-9_]{0,62}$', example: 'pool_v2_app' })
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'appRole must be the name of the login role the pool app servers use' })
  appRole!: string;

  @ApiPropertyOptional({ description: 'The app-server origins (scheme, host and port only) the gateways send the pool’s tenants’ requests to; at most 64.', type: [String], maxItems: 64, example: ['http://10.0.0.5:3201'] })
  @IsOptional()
  @IsArray({ message: 'upstreams must be an array of app-server base URLs' })
  @ArrayMaxSize(64)
  @IsUpstream()
  upstreams?: string[];
}

export class UpdatePoolDto {
  @ApiPropertyOptional({ description: 'The app-server origins (scheme, host and port only) the gateways send the pool’s tenants’ requests to; at most 64.', type: [String], maxItems: 64, example: ['http://10.0.0.5:3201', 'http://10.0.0.6:3201'] })
  @IsOptional()
  @IsArray({ message: 'upstreams must be an array of app-server base URLs' })
  @ArrayMaxSize(64)
  @IsUpstream()
  upstreams?: string[];

  @ApiPropertyOptional({
    description: 'draining: takes no new tenants (and stops being the default); retired: serves no requests, only once it has no tenants, and for good; a draining pool may become active again.',
    enum: POOL_STATUSES,
    example: 'draining',
  })
  @IsOptional()
  @IsIn([...POOL_STATUSES], { message: `status must be one of ${POOL_STATUSES.join(', ')}` })
  status?: PoolStatus;

  @ApiPropertyOptional({ description: 'true: tenants created without a pool go here from now on (an active pool only; the previous default stops being it).', enum: [true], example: true })
  @IsOptional()
  @IsIn([true], { message: 'isDefault can only be set to true: make another pool the default to change it' })
  isDefault?: true;
}
