import { ConfigReader } from '@backstage/config';
import { readCredentials, readOpenStackProviders } from './config';

describe('readOpenStackProviders', () => {
  it('reads clouds as providers, each region one cloud', () => {
    const providers = readOpenStackProviders(
      new ConfigReader({
        cloud: {
          openstack: {
            providers: {
              openstack: {
                title: 'OpenStack (lab)',
                regions: {
                  east: {
                    authUrl: 'https://east.example/v3',
                    project: 'store',
                    credentials: {
                      type: 'password',
                      username: 'store',
                      passwordEnv: 'EAST_PASSWORD',
                    },
                  },
                  west: {
                    authUrl: 'https://west.example/v3',
                    regionName: 'RegionTwo',
                    credentials: {
                      type: 'applicationCredential',
                      id: 'app-1',
                      secretEnv: 'WEST_SECRET',
                    },
                  },
                },
              },
              partner: {
                regions: {
                  RegionOne: {
                    authUrl: 'https://partner.example/v3',
                    project: 'store',
                    credentials: {
                      type: 'password',
                      username: 'store',
                      passwordEnv: 'PARTNER_PASSWORD',
                    },
                  },
                },
              },
            },
          },
        },
      }),
    );
    expect(
      providers.map(p => [p.id, p.title, p.regions.map(r => r.region)]),
    ).toEqual([
      ['openstack', 'OpenStack (lab)', ['east', 'west']],
      ['partner', undefined, ['RegionOne']],
    ]);
    expect(readOpenStackProviders(new ConfigReader({}))).toEqual([]);
  });

  it('reads secrets from the environment when it signs in, never from the file', () => {
    const region = (credentials: object) =>
      new ConfigReader({
        authUrl: 'https://keystone.example/v3',
        project: 'store',
        projectDomain: 'Store',
        credentials,
      });
    const password = readCredentials(
      region({
        type: 'password',
        username: 'store',
        userDomain: 'Users',
        passwordEnv: 'OPENSTACK_CONFIG_TEST_PASSWORD',
      }),
      'cloud.openstack.providers.openstack.regions.east',
    );
    expect(() => password()).toThrow(
      'cloud.openstack.providers.openstack.regions.east.credentials.passwordEnv names the environment variable OPENSTACK_CONFIG_TEST_PASSWORD, which is not set',
    );
    process.env.OPENSTACK_CONFIG_TEST_PASSWORD = 's3cret';
    try {
      expect(password()).toEqual({
        type: 'password',
        username: 'store',
        password: 's3cret',
        userDomain: 'Users',
        project: 'store',
        projectDomain: 'Store',
      });
    } finally {
      delete process.env.OPENSTACK_CONFIG_TEST_PASSWORD;
    }
    expect(() =>
      readCredentials(region({ type: 'token' }), 'cloud.openstack.x'),
    ).toThrow("must be 'password' or 'applicationCredential'");
  });
});
