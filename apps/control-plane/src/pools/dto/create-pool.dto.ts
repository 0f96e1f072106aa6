import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Matches, Min, ValidateBy } from 'class-validator';
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
  @Matches(POOL_NAME_PATTERN, { message: `name ${POOL_NAME_RULE}` })
  name!: string;

  @IsInt({ message: 'release must be a whole number' })
  @Min(1, { message: 'release must be at least 1' })
  release!: number;

  @IsString({ message: 'databaseUrl is required' })
  @Matches(/^postgres(ql)?:\/\//, { message: 'databaseUrl must be a postgres:// URL with rights to create roles and schemas' })
  databaseUrl!: string;

  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'appRole must be the name of the login role the pool app servers use' })
  appRole!: string;

  @IsOptional()
  @IsArray({ message: 'upstreams must be an array of app-server base URLs' })
  @ArrayMaxSize(64)
  @IsUpstream()
  upstreams?: string[];
}

export class UpdatePoolDto {
  @IsOptional()
  @IsArray({ message: 'upstreams must be an array of app-server base URLs' })
  @ArrayMaxSize(64)
  @IsUpstream()
  upstreams?: string[];

  @IsOptional()
  @IsIn([...POOL_STATUSES], { message: `status must be one of ${POOL_STATUSES.join(', ')}` })
  status?: PoolStatus;
}
